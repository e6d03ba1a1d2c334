using System.Globalization;
using System.Text;

namespace MockServer.Journal;

/// <summary>The request body as a journal entry keeps it: bounded text, and a hash that is equal for a request and its retries.</summary>
internal static class JournalBody
{
    private const ulong FnvOffset = 14695981039346656037;
    private const ulong FnvPrime = 1099511628211;

    /// <summary>
    /// The body as UTF-8 text, at most <see cref="RequestJournal.MaxBodyChars"/> characters (never a surrogate pair cut in
    /// half), and whether it was cut; null for a request whose body was never read (no body, not JSON, too large).
    /// <paramref name="body"/> is the first bytes the journal kept of a body of <paramref name="total"/> bytes.
    /// </summary>
    public static (string? Text, bool Truncated) Text(ReadOnlySpan<byte> body, int total) => Text(body, total, RequestJournal.MaxBodyChars);

    /// <summary>
    /// The first bytes of something <paramref name="total"/> bytes long as text of at most <paramref name="maxChars"/>
    /// characters (never a surrogate pair cut in half), and whether it was cut; null when there are no bytes.
    /// </summary>
    public static (string? Text, bool Truncated) Text(ReadOnlySpan<byte> body, long total, int maxChars)
    {
        if (body.IsEmpty)
        {
            return (null, false);
        }

        // At most maxChars chars: the decoder stops when the buffer is full, so a large body is never decoded whole.
        var chars = new char[Math.Min(body.Length, maxChars)];
        var decoder = Encoding.UTF8.GetDecoder();
        decoder.Convert(body, chars, flush: true, out var bytesUsed, out var charsUsed, out _);
        return (new string(chars, 0, charsUsed), bytesUsed < total);
    }

    /// <summary>
    /// 16 hex digits of a 64-bit FNV-1a hash of method, path and body: equal for a request and its unchanged retry, so a
    /// test (and client verification) can pair them. Not a security hash; it only has to tell requests apart.
    /// </summary>
    public static string Hash(string method, string path, ReadOnlySpan<byte> body)
    {
        var hash = FnvOffset;
        hash = Add(hash, Encoding.UTF8.GetBytes(method.ToUpperInvariant()));
        hash = Add(hash, [0]);
        hash = Add(hash, Encoding.UTF8.GetBytes(path));
        hash = Add(hash, [0]);
        hash = Add(hash, body);
        return hash.ToString("x16", CultureInfo.InvariantCulture);
    }

    private static ulong Add(ulong hash, ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            hash = (hash ^ b) * FnvPrime;
        }

        return hash;
    }
}
