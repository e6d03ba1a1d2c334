namespace MockServer.Tokenization;

/// <summary>A token: its id (vocabulary, special, or a stable hash for out-of-vocabulary pieces) and its text.</summary>
internal readonly record struct Token(int Id, string Text);

/// <summary>How a token behaves in running text; the synthetic model conditions on it.</summary>
internal enum TokenClass
{
    /// <summary>Lower-case word after a space: <c>" city"</c>.</summary>
    Word,

    /// <summary>Capitalised word after a space: <c>" Paris"</c>, <c>" The"</c>.</summary>
    CapitalWord,

    /// <summary>Word at the start of a line, no space: <c>"The"</c>.</summary>
    LineStart,

    /// <summary>Punctuation inside a sentence: <c>","</c>.</summary>
    InnerPunctuation,

    /// <summary>End of a sentence: <c>"."</c>.</summary>
    SentenceEnd,

    /// <summary>Ends a line: <c>".\n"</c>, <c>"\n"</c>.</summary>
    LineEnd,

    /// <summary>End of text.</summary>
    EndOfText,
}
