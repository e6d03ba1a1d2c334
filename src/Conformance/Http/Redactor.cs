namespace Conformance.Http;

/// <summary>
/// Removes the API key from every string that leaves the suite: console, JSON, JUnit, evidence.
/// A hostile endpoint may echo the key back in a body, so redaction covers response text too, not just headers.
/// </summary>
/// <remarks>
/// Both the key as given and its trimmed form are masked (a server trims what it receives and may echo that).
/// As a backstop for text that was cut before it was redacted, a key prefix of <see cref="MinPrefix"/> or more
/// characters right before a cut marker (<c>…</c>) is masked too.
/// </remarks>
internal sealed class Redactor
{
    /// <summary>What a redacted key reads as.</summary>
    public const string Mask = "***";

    /// <summary>The shortest key prefix the backstop masks.</summary>
    public const int MinPrefix = 4;

    /// <summary>The marker <see cref="Exchange.Excerpt"/> and the console put where they cut text.</summary>
    private const char CutMarker = '…';

    // Longest first, so the untrimmed key is replaced before its trimmed form.
    private readonly string[] _secrets;

    public Redactor(string? apiKey)
    {
        _secrets = string.IsNullOrEmpty(apiKey)
            ? []
            : [.. new[] { apiKey, apiKey.Trim() }.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length)];
    }

    /// <summary>Returns <paramref name="text"/> with every occurrence of the key replaced by <see cref="Mask"/>.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (_secrets.Length == 0)
        {
            return text;
        }

        foreach (var secret in _secrets)
        {
            text = text.Replace(secret, Mask, StringComparison.Ordinal);
        }

        var at = text.IndexOf(CutMarker, StringComparison.Ordinal);
        while (at >= 0)
        {
            var prefix = CutPrefixLength(text.AsSpan(0, at));
            if (prefix > 0)
            {
                text = string.Concat(text.AsSpan(0, at - prefix), Mask, text.AsSpan(at));
                at += Mask.Length - prefix;
            }

            at = text.IndexOf(CutMarker, at + 1);
        }

        return text;
    }

    /// <summary>Redacts a nullable string.</summary>
    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);

    /// <summary>Redacts, then cuts to <paramref name="max"/> characters; a key prefix left at the cut is masked.</summary>
    public string Excerpt(string text, int max) => Redact(Exchange.Excerpt(Redact(text), max));

    /// <summary>
    /// Redacts a line and cuts it to <paramref name="max"/> characters without a marker (raw evidence);
    /// a tail that is a prefix of the key is masked.
    /// </summary>
    public string Cut(string text, int max)
    {
        text = Redact(text);
        if (text.Length <= max)
        {
            return text;
        }

        var cut = text[..max];
        var prefix = CutPrefixLength(cut);
        return prefix == 0 ? cut : string.Concat(cut.AsSpan(0, max - prefix), Mask);
    }

    /// <summary>The length of the longest key prefix (at least <see cref="MinPrefix"/>) that <paramref name="text"/> ends with, or 0.</summary>
    private int CutPrefixLength(ReadOnlySpan<char> text)
    {
        var longest = 0;
        foreach (var secret in _secrets)
        {
            for (var k = Math.Min(secret.Length - 1, text.Length); k >= MinPrefix && k > longest; k--)
            {
                if (text.EndsWith(secret.AsSpan(0, k), StringComparison.Ordinal))
                {
                    longest = k;
                    break;
                }
            }
        }

        return longest;
    }
}
