using System.Text.RegularExpressions;

namespace MockServer.Tokenization;

/// <summary>
/// Splits text into GPT-style pieces with Llama 3's pre-tokenizer pattern and prepends the beginning-of-text
/// token, as vLLM does for completions (spec-facts §1.3: <c>add_special_tokens</c> defaults to true). That is how
/// the provider docs' prompts count 6 (<c>The capital of France is</c>) and 9
/// (<c>Five reasons to learn Rust:\n1.</c>): <c>":\n"</c> is one piece.
/// </summary>
internal sealed partial class Tokenizer(Vocabulary vocabulary)
{
    public Vocabulary Vocabulary { get; } = vocabulary;

    /// <summary>Tokens of a text prompt, beginning-of-text first.</summary>
    public List<Token> TokenizePrompt(string text)
    {
        // Pieces average well over two characters; the guess saves regrowing the list for most prompts.
        var tokens = new List<Token>(2 + (text.Length / 3)) { new(Vocabulary.BeginOfTextId, Vocabulary.BeginOfText) };
        foreach (var match in Pieces().EnumerateMatches(text))
        {
            tokens.Add(Vocabulary.Lookup(text, match.Index, match.Length));
        }

        return tokens;
    }

    // Llama 3 / tiktoken cl100k pre-tokenizer: contractions, an optional non-letter before a word,
    // 1-3 digits, punctuation runs with trailing newlines, newline runs, other whitespace.
    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Pieces();
}
