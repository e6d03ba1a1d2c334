namespace MockServer.Tokenization;

/// <summary>The pieces of the synthetic vocabulary, most frequent first within each list.</summary>
internal static class VocabularyWords
{
    public static readonly string[] Words =
    [
        "the", "of", "and", "to", "a", "in", "is", "it", "that", "for", "was", "on", "with", "as", "are", "be",
        "this", "by", "not", "you", "at", "from", "or", "have", "an", "they", "which", "one", "had", "but", "all",
        "were", "we", "can", "there", "more", "when", "your", "their", "has", "what", "so", "if", "will", "about",
        "some", "would", "out", "up", "them", "been", "its", "other", "into", "than", "only", "time", "could", "new",
        "these", "two", "may", "first", "any", "like", "then", "now", "people", "my", "made", "over", "did", "no",
        "way", "many", "after", "also", "most", "our", "well", "where", "just", "back", "use", "how", "work", "much",
        "good", "very", "through", "because", "long", "before", "should", "great", "even", "those", "same", "still",
        "each", "year", "here", "both", "between", "world", "life", "own", "while", "last", "might", "never", "day",
        "under", "know", "part", "small", "state", "found", "high", "three", "down", "think", "get", "every", "old",
        "see", "take", "place", "right", "another", "country", "far", "around", "home", "end", "something", "why",
        "few", "system", "number", "thought", "school", "whole", "help", "best", "often", "men", "case", "hand",
        "city", "different", "important", "come", "must", "order", "fact", "public", "group", "form", "again",
        "water", "left", "point", "large", "since", "away", "during", "power", "light", "code", "language", "fast",
        "safe", "memory", "simple", "easy", "history", "capital", "river", "art", "love", "food", "music", "book",
        "story", "family", "friends", "money", "market", "question", "answer", "idea", "problem", "reason",
        "model", "data", "program", "computer", "learn", "write", "read", "build", "run", "test", "change", "start",
        "open", "free", "real", "true", "better", "little", "big", "young", "known", "called", "given", "used",
        "best", "next", "early", "late", "full", "clear", "strong", "human", "local", "social", "north", "south",
        "1", "2", "10", "100", "2024",
    ];

    public static readonly string[] CapitalWords =
    [
        "The", "It", "This", "In", "A", "We", "They", "He", "She", "There", "But", "And", "If", "When", "As",
        "For", "On", "I", "Paris", "France", "London", "Rust", "English", "Europe", "America", "John", "Mary",
        "New", "World", "March", "Sunday", "Python", "Linux",
    ];

    public static readonly string[] LineStarts =
    [
        "The", "It", "This", "In", "A", "We", "They", "He", "She", "There", "But", "If", "When", "One", "Many",
        "Some", "2", "3", "4", "5",
    ];

    public static readonly string[] InnerPunctuation = [",", ";", ":", " -", " (", ")", "'s"];

    public static readonly string[] SentenceEnds = [".", "!", "?"];

    public static readonly string[] LineEnds = [".\n", "\n", "\n\n", ":\n"];
}
