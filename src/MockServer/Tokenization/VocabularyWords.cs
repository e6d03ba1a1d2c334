namespace MockServer.Tokenization;

/// <summary>The pieces of the synthetic vocabulary by part of speech, most frequent first within each list.</summary>
internal static class VocabularyWords
{
    /// <summary>Space-led words by class; their order within a class is their frequency rank.</summary>
    public static readonly (TokenClass Class, string[] Words)[] SpaceLed =
    [
        (TokenClass.Determiner, ["the", "a", "this", "an", "that", "its", "their", "our", "every", "some", "each", "no", "my", "another", "these", "those"]),
        (TokenClass.Adjective, ["new", "good", "old", "great", "small", "long", "important", "different", "large", "high", "little", "big", "young", "public", "real", "simple", "fast", "safe", "strong", "clear", "free", "easy", "early", "full", "local", "human", "whole", "open", "best", "next", "true", "social", "same", "own"]),
        (TokenClass.Noun, ["time", "people", "way", "world", "year", "day", "life", "city", "part", "place", "home", "system", "work", "story", "state", "country", "end", "number", "school", "group", "water", "point", "power", "light", "code", "language", "memory", "history", "capital", "river", "art", "love", "food", "music", "book", "family", "friends", "money", "market", "question", "answer", "idea", "problem", "reason", "model", "data", "program", "computer", "hand", "case", "order", "fact", "form", "night", "morning", "street", "house", "road", "sea", "name"]),
        (TokenClass.Verb, ["is", "was", "has", "are", "had", "were", "makes", "made", "found", "gave", "took", "knew", "came", "became", "seems", "runs", "builds", "helps", "shows", "keeps", "means", "turned", "looked", "began", "stood"]),
        (TokenClass.Modal, ["can", "will", "would", "could", "should", "may", "might", "must"]),
        (TokenClass.BaseVerb, ["be", "have", "make", "find", "take", "know", "see", "get", "use", "help", "build", "learn", "write", "read", "change", "start", "keep", "give", "feel", "become"]),
        (TokenClass.Preposition, ["of", "in", "to", "for", "on", "with", "at", "from", "by", "about", "into", "over", "after", "between", "through", "under", "during", "before", "around"]),
        (TokenClass.Conjunction, ["and", "but", "or", "so", "because", "while", "when", "where", "if", "than", "as"]),
        (TokenClass.Pronoun, ["it", "they", "we", "you", "he", "she", "there", "which", "who", "one"]),
        (TokenClass.Adverb, ["also", "not", "very", "just", "still", "often", "never", "now", "then", "here", "well", "even", "much", "again", "back", "away", "only", "always", "slowly"]),
        (TokenClass.Number, ["two", "three", "first", "1", "2", "10", "100", "2024", "four", "five"]),
        (TokenClass.ProperNoun, ["Paris", "France", "London", "Rust", "English", "Europe", "America", "John", "Mary", "Python", "Linux", "March", "Sunday", "Rome"]),
        (TokenClass.SentenceStart, ["The", "It", "This", "In", "A", "We", "They", "He", "She", "There", "But", "And", "If", "When", "As", "For", "On", "I"]),
    ];

    public static readonly string[] LineStarts =
    [
        "The", "It", "This", "In", "A", "We", "They", "He", "She", "There", "But", "If", "When", "One", "Many",
        "Some", "2", "3", "4", "5",
    ];

    public static readonly string[] InnerPunctuation = [",", ";", ":", " -", "'s", " (", ")"];

    public static readonly string[] SentenceEnds = [".", "!", "?"];

    public static readonly string[] LineEnds = [".\n", "\n", "\n\n", ":\n"];
}
