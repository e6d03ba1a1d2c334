namespace MockServer.Tokenization;

/// <summary>A token: its id (vocabulary, special, or a stable hash for out-of-vocabulary pieces) and its text.</summary>
internal readonly record struct Token(int Id, string Text);

/// <summary>
/// The part a token plays in running text. The synthetic model's transition table is written over these, which is
/// what makes its output read like (odd) English rather than a bag of words.
/// </summary>
internal enum TokenClass
{
    Determiner,
    Adjective,
    Noun,
    Verb,
    Modal,
    BaseVerb,
    Preposition,
    Conjunction,
    Pronoun,
    Adverb,
    Number,
    ProperNoun,

    /// <summary>Capitalised word after a full stop and a space: <c>" The"</c>.</summary>
    SentenceStart,

    /// <summary>Word at the start of a line, no space: <c>"The"</c>.</summary>
    LineStart,

    /// <summary>Punctuation inside a sentence: <c>","</c>.</summary>
    InnerPunctuation,

    /// <summary>End of a sentence: <c>"."</c>.</summary>
    SentenceEnd,

    /// <summary>Ends a line: <c>".\n"</c>, <c>"\n"</c>.</summary>
    LineEnd,

    EndOfText,
}
