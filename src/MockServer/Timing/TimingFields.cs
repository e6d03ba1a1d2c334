using System.Globalization;
using System.Text.Json;
using MockServer.Hosting;

namespace MockServer.Timing;

/// <summary>
/// The names of a timing's fields, one spelling for the <c>X-Mock-Timing</c> header, a fixture's <c>timing</c> block
/// and a behaviour file's <c>timing</c> (the schemas' <c>timing</c> definitions list the same names and bounds):
/// <c>ttft_ms</c> (time to first token), <c>prefill_ms_per_token</c> (added to it per prompt token), <c>itl_ms</c>
/// (between tokens) or <c>tps</c> (tokens per second, its inverse), and <c>jitter</c> (the time to first token scaled
/// by a seeded factor in [1 - jitter, 1 + jitter], each later token moved by up to ±jitter/2 inter-token latencies).
/// </summary>
internal static class TimingFields
{
    public const string TimeToFirstToken = "ttft_ms";
    public const string Prefill = "prefill_ms_per_token";
    public const string InterTokenLatency = "itl_ms";
    public const string TokensPerSecond = "tps";
    public const string Jitter = "jitter";

    public static readonly string[] Names = [TimeToFirstToken, Prefill, InterTokenLatency, TokensPerSecond, Jitter];

    // An hour before the first token, a minute between tokens or per prompt token: beyond that a value is a typo.
    private const double MaxTtftMs = 3_600_000;
    private const double MaxPerTokenMs = 60_000;
    private const double MaxTps = 1_000_000;
    private const double MinTps = 1.0 / 60; // one token a minute: the longest inter-token latency

    /// <summary>
    /// The timing the named values give; throws <see cref="FormatException"/> with a sentence naming the field when a
    /// name is unknown, a value is out of its bounds, or both <c>itl_ms</c> and <c>tps</c> are given.
    /// </summary>
    public static StreamTiming Build(IEnumerable<(string Name, double Value)> fields)
    {
        var timing = new StreamTiming();
        foreach (var (name, value) in fields)
        {
            timing = name switch
            {
                TimeToFirstToken => timing with { TimeToFirstToken = Milliseconds(name, value, MaxTtftMs) },
                Prefill => timing with { PrefillPerPromptToken = Milliseconds(name, value, MaxPerTokenMs) },
                InterTokenLatency => timing with { InterTokenLatency = Milliseconds(name, value, MaxPerTokenMs) },
                TokensPerSecond => timing with { TokensPerSecond = value >= MinTps && value <= MaxTps ? value : throw Bounds(name, value, "at least 1/60 (one token a minute) and at most 1000000") },
                Jitter => timing with { Jitter = value is >= 0 and < 1 ? value : throw Bounds(name, value, "at least 0 and less than 1") },
                _ => throw new FormatException($"unknown field '{name}'. Fields: {string.Join(", ", Names)}."),
            };
        }

        if (timing.InterTokenLatency is not null && timing.TokensPerSecond is not null)
        {
            throw new FormatException($"give {InterTokenLatency} or {TokensPerSecond}, not both.");
        }

        return timing;
    }

    /// <summary>A JSON <c>timing</c> object's fields (its shape already checked by a schema).</summary>
    public static StreamTiming Build(JsonElement timing) =>
        Build(timing.EnumerateObject().Select(p => (p.Name, p.Value.GetDouble())).ToList());

    private static TimeSpan Milliseconds(string name, double value, double max) =>
        value >= 0 && value <= max ? TimeSpan.FromTicks((long)Math.Round(value * TimeSpan.TicksPerMillisecond)) : throw Bounds(name, value, $"from 0 to {max.ToString(CultureInfo.InvariantCulture)}");

    private static FormatException Bounds(string name, double value, string range) =>
        new(string.Create(CultureInfo.InvariantCulture, $"{name} must be {range}, got {value}."));
}
