namespace MockServer.Generation;

/// <summary>A generated token with the part of its text that survives in the choice's text (empty for end-of-text).</summary>
internal readonly record struct VisibleToken(GeneratedToken Token, string Visible);

/// <summary>
/// A candidate's tokens as they become final: a token is given out once no stop string can still cut it, so a
/// stream never sends text that a later token would take back (REVIEW.md: "hold back text that may start a stop
/// string"). Tokens wait only while their text lies within the last <see cref="ChoiceGenerator.Undecided"/>
/// characters, so what is held is bounded by the longest stop string, not by the completion. The visible parts are
/// exactly <see cref="ChoiceResult.VisibleTokens"/> of the finished choice.
/// </summary>
internal sealed class VisibleTokenReader(ChoiceGenerator generator)
{
    private readonly Queue<(GeneratedToken Token, int Start)> _held = new();
    private int _position; // where the next generated token's text starts in the uncut text

    public ChoiceGenerator Generator => generator;

    /// <summary>The next final token, generating as many as it takes; false once every token has been given out.</summary>
    public bool TryRead(out VisibleToken token)
    {
        while (true)
        {
            if (_held.Count > 0 && (generator.Finished || Final(_held.Peek())))
            {
                var (held, start) = _held.Dequeue();
                token = new VisibleToken(held, VisibleOf(held, start));
                return true;
            }

            if (generator.Next() is not { } next)
            {
                token = default;
                return false;
            }

            var length = next.Token.Id == Tokenization.Vocabulary.EndOfTextId ? 0 : next.Token.Text.Length;
            _held.Enqueue((next, _position));
            _position += length;
        }
    }

    /// <summary>Whether a held token's text ends before the part of the text a stop string may still claim.</summary>
    private bool Final((GeneratedToken Token, int Start) held) =>
        held.Start + LengthOf(held.Token) <= generator.TextLength - generator.Undecided;

    /// <summary>As <see cref="ChoiceResult.VisibleTokens"/> cuts it: the token's part of the final text, always a head of its text.</summary>
    private string VisibleOf(GeneratedToken token, int start)
    {
        var length = LengthOf(token);
        var shown = Math.Clamp(generator.TextLength - start, 0, length);
        return shown == length ? (length == 0 ? "" : token.Token.Text) : token.Token.Text[..shown];
    }

    private static int LengthOf(GeneratedToken token) => token.Token.Id == Tokenization.Vocabulary.EndOfTextId ? 0 : token.Token.Text.Length;
}
