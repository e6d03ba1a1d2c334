using System.Globalization;
using MockServer.Generation;

namespace MockServer.Endpoints;

/// <summary>
/// Response ids (<c>cmpl-</c> for completions, <c>chatcmpl-</c> for chat, + 16 hex digits, as in the provider docs)
/// and per-request entropy for unseeded sampling: both a function of the server's seed and the request's arrival
/// number, so a run is reproducible.
/// </summary>
internal sealed class RequestIds(ulong seed)
{
    public const string Completion = "cmpl-";
    public const string Chat = "chatcmpl-";

    private long _counter;

    public (string Id, ulong Entropy) Next() => Next(Completion);

    /// <summary>The next request is numbered 1 again, so it gets the id and sampling entropy a fresh server's first request gets.</summary>
    public void Reset() => Interlocked.Exchange(ref _counter, 0);

    public (string Id, ulong Entropy) Next(string prefix)
    {
        var n = (ulong)Interlocked.Increment(ref _counter);
        var bits = Mix.Hash(seed, n);
        return (string.Create(CultureInfo.InvariantCulture, $"{prefix}{bits:x16}"), Mix.Hash(bits, seed));
    }
}
