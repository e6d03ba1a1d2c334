namespace MockServer.Hosting;

/// <summary>
/// How fast a model answers (issue 8, "a timing model"): time to first token, an optional prefill cost per prompt
/// token, the time between tokens (or tokens per second) and a seeded jitter. Every field is optional so layers can
/// be stacked: a request's <c>X-Mock-Timing</c> header over the matched fixture's <c>timing</c>, over the model's, over
/// the server's (<see cref="MockServerOptions.Timing"/>); a layer replaces only the fields it names. All of it runs on
/// <see cref="MockServerOptions.TimeProvider"/>: in process a test with a fake clock receives each frame exactly when
/// it advances the clock.
/// </summary>
public sealed record StreamTiming
{
    /// <summary>From the start of generation to the first token (and so the first frame).</summary>
    public TimeSpan? TimeToFirstToken { get; init; }

    /// <summary>Added to the time to first token for each prompt token (prefill); zero by default.</summary>
    public TimeSpan? PrefillPerPromptToken { get; init; }

    /// <summary>Between two consecutive tokens. Mutually exclusive with <see cref="TokensPerSecond"/> within one layer.</summary>
    public TimeSpan? InterTokenLatency { get; init; }

    /// <summary>Tokens per second: the inter-token latency is its inverse.</summary>
    public double? TokensPerSecond { get; init; }

    /// <summary>
    /// Seeded jitter j (0 ≤ j &lt; 1): the time to first token is scaled by a factor drawn uniformly in [1 - j, 1 + j]
    /// and each later token lands within ±j/2 inter-token latencies of its nominal time (so consecutive tokens stay
    /// (1 ± j) latencies apart), drawn from the request's seed (or its id when it has none), so the same request and
    /// seed pace the same way.
    /// </summary>
    public double? Jitter { get; init; }

    internal static readonly TimeSpan MaxTimeToFirstToken = TimeSpan.FromHours(1);
    internal static readonly TimeSpan MaxInterTokenLatency = TimeSpan.FromMinutes(1);
    internal static readonly TimeSpan MaxPrefillPerPromptToken = TimeSpan.FromMinutes(1);

    /// <summary>No waiting at all (the default).</summary>
    public static StreamTiming None { get; } = new();

    /// <summary>The inter-token latency this layer names, from either field, or null.</summary>
    internal TimeSpan? Interval => InterTokenLatency ?? (TokensPerSecond is { } tps ? TimeSpan.FromTicks((long)Math.Round(TimeSpan.TicksPerSecond / tps)) : null);

    /// <summary>This layer over <paramref name="lower"/>: the fields this one names win; the interval counts as one field.</summary>
    internal StreamTiming Over(StreamTiming? lower) => lower is null ? this : new StreamTiming
    {
        TimeToFirstToken = TimeToFirstToken ?? lower.TimeToFirstToken,
        PrefillPerPromptToken = PrefillPerPromptToken ?? lower.PrefillPerPromptToken,
        InterTokenLatency = Interval ?? lower.Interval,
        Jitter = Jitter ?? lower.Jitter,
    };

    /// <summary>Throws <see cref="ArgumentException"/> naming the field when a value cannot be served.</summary>
    internal void Validate(string source)
    {
        static bool Negative(TimeSpan? t) => t is { } v && v < TimeSpan.Zero;
        if (Negative(TimeToFirstToken) || Negative(PrefillPerPromptToken) || Negative(InterTokenLatency))
        {
            throw new ArgumentException($"{source}: times must not be negative.");
        }

        // Bounds that no model needs to exceed; they keep a typo (a day for a millisecond) from parking a request.
        if (TimeToFirstToken > MaxTimeToFirstToken || InterTokenLatency > MaxInterTokenLatency || PrefillPerPromptToken > MaxPrefillPerPromptToken)
        {
            throw new ArgumentException($"{source}: the time to first token may be at most 1 hour, the inter-token latency and the prefill per prompt token 1 minute.");
        }

        if (InterTokenLatency is not null && TokensPerSecond is not null)
        {
            throw new ArgumentException($"{source}: give the inter-token latency or tokens per second, not both.");
        }

        if (TokensPerSecond is { } tps && (!double.IsFinite(tps) || tps < 1.0 / 60 || tps > 1_000_000))
        {
            throw new ArgumentException($"{source}: tokens per second must be at least 1/60 (one token a minute) and at most 1000000.");
        }

        if (Jitter is { } j && (!double.IsFinite(j) || j < 0 || j >= 1))
        {
            throw new ArgumentException($"{source}: jitter must be in [0, 1).");
        }
    }
}
