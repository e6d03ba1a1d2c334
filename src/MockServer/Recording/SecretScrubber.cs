using System.Text;
using System.Text.Json;

namespace MockServer.Recording;

/// <summary>
/// Replaces the upstream key wherever an answer carries it (an upstream that echoes its Authorization header, an
/// error quoting the key), before anything is relayed, recorded or journaled. The key is looked for as written, as a
/// JSON string would escape it, and in base64 (with and without <c>Bearer </c>), so an echo in any of those forms is
/// caught; each is replaced whole by <see cref="Redacted"/>, so no part of the key survives.
/// </summary>
internal sealed class SecretScrubber
{
    public const string Redacted = "[redacted]";

    /// <summary>Shorter keys are refused: scrubbing a two-letter key from every body would mangle the recordings.</summary>
    public const int MinimumKeyLength = 8;

    private static readonly byte[] RedactedBytes = Encoding.UTF8.GetBytes(Redacted);

    private readonly string[] _needles;
    private readonly byte[][] _needleBytes;

    public SecretScrubber(string? key)
    {
        if (key is null)
        {
            _needles = [];
            _needleBytes = [];
            return;
        }

        var bytes = Encoding.UTF8.GetBytes(key);
        _needles = new[]
        {
            key,
            JsonEncodedText.Encode(key).ToString(),
            Convert.ToBase64String(bytes),
            Convert.ToBase64String(Encoding.UTF8.GetBytes("Bearer " + key)),
        }.Distinct(StringComparer.Ordinal).OrderByDescending(n => n.Length).ToArray();
        _needleBytes = [.. _needles.Select(Encoding.UTF8.GetBytes)];
    }

    /// <summary>No key: nothing to scrub.</summary>
    public static SecretScrubber None { get; } = new(null);

    /// <summary>Whether there is a key to look for.</summary>
    public bool HasKey => _needles.Length > 0;

    /// <summary>Whether any form of the key occurs in <paramref name="text"/>.</summary>
    public bool Contains(string text) => _needles.Any(n => text.Contains(n, StringComparison.Ordinal));

    /// <summary>Whether any form of the key occurs in <paramref name="bytes"/>.</summary>
    public bool Contains(ReadOnlySpan<byte> bytes)
    {
        foreach (var needle in _needleBytes)
        {
            if (bytes.IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    public string Scrub(string text)
    {
        foreach (var needle in _needles)
        {
            text = text.Replace(needle, Redacted, StringComparison.Ordinal);
        }

        return text;
    }

    /// <summary>The bytes with every needle replaced; the same memory when none occurs (the common case costs one search per needle).</summary>
    public ReadOnlyMemory<byte> Scrub(ReadOnlyMemory<byte> bytes)
    {
        foreach (var needle in _needleBytes)
        {
            if (bytes.Span.IndexOf(needle) < 0)
            {
                continue;
            }

            var output = new List<byte>(bytes.Length);
            var rest = bytes.Span;
            int at;
            while ((at = rest.IndexOf(needle)) >= 0)
            {
                output.AddRange(rest[..at]);
                output.AddRange(RedactedBytes);
                rest = rest[(at + needle.Length)..];
            }

            output.AddRange(rest);
            bytes = output.ToArray();
        }

        return bytes;
    }
}
