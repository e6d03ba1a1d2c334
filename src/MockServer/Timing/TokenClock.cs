using MockServer.Generation;
using MockServer.Hosting;

namespace MockServer.Timing;

/// <summary>
/// When each token of one request is due (issue 8, "a timing model"), on the injected clock, counted from the start
/// of generation: token 0 at the time to first token (plus the prefill cost of the prompt), token t one inter-token
/// latency after token t-1. With jitter j, the time to first token is scaled by a factor in [1 - j, 1 + j] and each
/// later token lands within ±j/2 inter-token latencies of its nominal time, so consecutive tokens stay between
/// (1 - j) and (1 + j) latencies apart and never out of order; each draw comes from the request's seed bits and the
/// token's index, so the same request and seed pace the same way, and no per-token state is kept (a 100,000-token
/// stream holds nothing more). The n choices of a request are generated side by side, as a batching server does, so
/// token t of every choice is due at the same time. A frame is written when its last token is due.
/// </summary>
internal sealed class TokenClock
{
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly TimeSpan _first;
    private readonly TimeSpan _interval;
    private readonly double _jitter;
    private readonly ulong _seedBits;

    public TokenClock(StreamTiming timing, int promptTokens, ulong seedBits, TimeProvider time)
    {
        _time = time;
        _started = time.GetTimestamp();
        _jitter = timing.Jitter ?? 0;
        _seedBits = seedBits;
        _interval = timing.Interval ?? TimeSpan.Zero;
        var first = (timing.TimeToFirstToken ?? TimeSpan.Zero) + ((timing.PrefillPerPromptToken ?? TimeSpan.Zero) * promptTokens);
        _first = first * Factor(0);
        IsImmediate = _first <= TimeSpan.Zero && _interval <= TimeSpan.Zero;
    }

    /// <summary>True when nothing ever waits (no timing configured): the writers skip the clock altogether.</summary>
    public bool IsImmediate { get; }

    /// <summary>How long after the start of generation token <paramref name="token"/> (from 0) is due.</summary>
    public TimeSpan DueOf(int token)
    {
        if (token <= 0)
        {
            return _first;
        }

        var nominal = _first + (_interval * token);
        return _jitter == 0 ? nominal : nominal + (_interval * ((Factor(token) - 1) / 2));
    }

    /// <summary>Waits until token <paramref name="token"/> is due; at once if it already is.</summary>
    public Task WaitForTokenAsync(int token, CancellationToken cancellationToken)
    {
        if (IsImmediate)
        {
            return Task.CompletedTask;
        }

        var remaining = DueOf(token) - _time.GetElapsedTime(_started);
        return remaining <= TimeSpan.Zero ? Task.CompletedTask : remaining <= LongestDelay
            ? Task.Delay(remaining, _time, cancellationToken)
            : WaitLongAsync(DueOf(token), cancellationToken);
    }

    /// <summary>A timer takes at most about 49.7 days: a wait longer than a day (a slow model times many tokens) goes in steps.</summary>
    private static readonly TimeSpan LongestDelay = TimeSpan.FromDays(1);

    private async Task WaitLongAsync(TimeSpan due, CancellationToken cancellationToken)
    {
        for (var remaining = due - _time.GetElapsedTime(_started); remaining > TimeSpan.Zero; remaining = due - _time.GetElapsedTime(_started))
        {
            await Task.Delay(remaining < LongestDelay ? remaining : LongestDelay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A factor in [1 - j, 1 + j] for position <paramref name="index"/>, from the request's seed bits.</summary>
    private double Factor(int index) => _jitter == 0 ? 1 : 1 + (_jitter * ((2 * Mix.Unit(Mix.Hash(_seedBits, 0x71A1E, (ulong)index))) - 1));
}
