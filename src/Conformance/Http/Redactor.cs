namespace Conformance.Http;

/// <summary>
/// Removes the API key from every string that leaves the suite: console, JSON, JUnit, evidence.
/// A hostile endpoint may echo the key back in a body, so redaction covers response text too, not just headers.
/// </summary>
internal sealed class Redactor(string? apiKey)
{
    /// <summary>What a redacted key reads as.</summary>
    public const string Mask = "***";

    private readonly string? _apiKey = string.IsNullOrEmpty(apiKey) ? null : apiKey;

    /// <summary>Returns <paramref name="text"/> with every occurrence of the key replaced by <see cref="Mask"/>.</summary>
    public string Redact(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _apiKey is null ? text : text.Replace(_apiKey, Mask, StringComparison.Ordinal);
    }

    /// <summary>Redacts a nullable string.</summary>
    public string? RedactOrNull(string? text) => text is null ? null : Redact(text);
}
