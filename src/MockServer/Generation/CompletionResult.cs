using MockServer.Tokenization;
using MockServer.Validation;

namespace MockServer.Generation;

/// <summary>A token and its log-probability under the model.</summary>
internal readonly record struct Alternative(Token Token, double Logprob);

/// <summary>One generated token with the model's view of its position.</summary>
internal sealed record GeneratedToken(Token Token, double Logprob, IReadOnlyList<Alternative>? Top);

/// <summary>The model's view of one prompt position (positions after the first).</summary>
internal sealed record PromptPosition(double Logprob, int Rank, IReadOnlyList<Alternative> Top);

/// <summary>A prompt and, when asked for, the scoring of each of its positions (index 0 has none).</summary>
internal sealed record ScoredPrompt(PromptInput Input, IReadOnlyList<PromptPosition?>? Positions);

/// <summary>One returned choice.</summary>
internal sealed record ChoiceResult(
    int Index,
    int PromptIndex,
    IReadOnlyList<GeneratedToken> Tokens,
    string Text,
    string FinishReason,
    string? StopReason)
{
    public double CumulativeLogprob => Tokens.Sum(t => t.Logprob);

    /// <summary>
    /// The part of each token's text that survives in <see cref="Text"/>: a token cut by a stop string shows only
    /// its head, and end-of-text shows nothing.
    /// </summary>
    public IEnumerable<(GeneratedToken Token, string Visible)> VisibleTokens()
    {
        var position = 0;
        foreach (var token in Tokens)
        {
            var length = token.Token.Id == Vocabulary.EndOfTextId ? 0 : token.Token.Text.Length;
            var start = Math.Min(position, Text.Length);
            var end = Math.Min(position + length, Text.Length);
            // A fully visible token reuses its own text rather than a copy; end-of-text (length 0) shows nothing.
            yield return (token, length > 0 && end - start == length ? token.Token.Text : Text[start..end]);
            position += length;
        }
    }
}

/// <summary>Everything a response needs, streamed or not.</summary>
internal sealed record CompletionResult(IReadOnlyList<ScoredPrompt> Prompts, IReadOnlyList<ChoiceResult> Choices)
{
    public int PromptTokens => Prompts.Sum(p => p.Input.Tokens.Count);

    public int CompletionTokens => Choices.Sum(c => c.Tokens.Count);
}
