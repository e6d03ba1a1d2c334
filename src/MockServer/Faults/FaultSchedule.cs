using System.Buffers;
using MockServer.Generation;
using MockServer.Hosting;

namespace MockServer.Faults;

/// <summary>One rule of a behaviour file's fault schedule: the fault, how often, and for which models and paths (null: all).</summary>
internal sealed record ScheduledFault(FaultPlan Plan, double Rate, IReadOnlySet<string>? Models, IReadOnlySet<string>? Paths)
{
    /// <summary>Whether the rule may be drawn for this request; a stream fault never is for a non-streaming one.</summary>
    public bool AppliesTo(string path, string model, bool stream) =>
        (stream || !Plan.IsStreamFault) && (Models is null || Models.Contains(model)) && (Paths is null || Paths.Contains(path));
}

/// <summary>
/// The server-wide fault schedule of a behaviour file (issue 8, "drawn for the whole server from a seeded schedule"):
/// each request that reaches the fault gate without a header or fixture fault draws from
/// <c>Mix.Hash(seed, fingerprint, occurrence)</c>, where the fingerprint is the request's path, model and body bytes
/// and the occurrence counts identical requests (1 for the first). So the same seed and the same requests give the
/// same faults at the same frames whatever the interleaving of concurrent requests (identical requests are
/// interchangeable), and a client that retries an identical request draws anew rather than meeting the same fault for
/// ever. Rules are tried in file order, each drawn with its own rate from its own bits; the first drawn applies.
/// </summary>
/// <remarks>
/// The occurrence counts are kept per distinct request that some rule applies to (a request no rule can draw for is
/// neither fingerprinted nor counted), a few dozen bytes each, up to <see cref="DefaultCapacity"/> distinct requests.
/// When the table is full it is cleared (and that is logged once): the counts start again from 1, so the schedule is
/// deterministic while fewer distinct requests than the cap have been drawn for, which covers any test run, and a
/// long-lived server's memory stays bounded.
/// </remarks>
internal sealed partial class FaultSchedule(ulong seed, IReadOnlyList<ScheduledFault> rules, int capacity = FaultSchedule.DefaultCapacity)
{
    /// <summary>The most distinct requests counted before the table is cleared.</summary>
    public const int DefaultCapacity = 100_000;

    private readonly Lock _gate = new();
    private readonly Dictionary<ulong, long> _occurrences = [];
    private bool _clearedBefore;

    /// <summary>No rules: nothing is ever drawn, and requests are not fingerprinted.</summary>
    public static FaultSchedule None { get; } = new(0, []);

    public ulong Seed { get; } = seed;

    public IReadOnlyList<ScheduledFault> Rules { get; } = rules;

    public bool IsActive => Rules.Count > 0;

    /// <summary>How many distinct requests are counted now (for tests of the cap).</summary>
    internal int Counted
    {
        get
        {
            lock (_gate)
            {
                return _occurrences.Count;
            }
        }
    }

    /// <summary>
    /// Records the request's body for its fingerprint, while the bytes are at hand (the JSON pipeline calls this once it
    /// has read them). Costs nothing without a schedule.
    /// </summary>
    public static void NoteBody(HttpContext context, ReadOnlySequence<byte> body)
    {
        if (context.RequestServices.GetService<FaultSchedule>() is { IsActive: true })
        {
            context.Features.Set(new RequestBodyHash(HashOf(body)));
        }
    }

    /// <summary>The fault drawn for this request to the route <paramref name="route"/> (its canonical path, e.g. <c>/v1/completions</c>), or null.</summary>
    public FaultPlan? Draw(HttpContext context, string route, string model, bool stream)
    {
        var body = context.Features.Get<RequestBodyHash>()?.Value ?? 0;
        return Draw(route, model, stream, body, context.RequestServices.GetService<ILoggerFactory>()?.CreateLogger("MockServer.Faults"));
    }

    /// <summary>The fault drawn for a request with this route, model and body hash (the next occurrence of it), or null.</summary>
    internal FaultPlan? Draw(string route, string model, bool stream, ulong bodyHash, ILogger? logger = null)
    {
        var applies = false;
        for (var i = 0; i < Rules.Count && !applies; i++)
        {
            applies = Rules[i].AppliesTo(route, model, stream);
        }

        if (!applies)
        {
            return null; // nothing to draw: not counted, so it cannot grow the table
        }

        var fingerprint = Mix.Hash(Mix.OfString(route), Mix.OfString(model), bodyHash);
        var occurrence = Next(fingerprint, logger);
        var draw = Mix.Hash(Seed, fingerprint, (ulong)occurrence);
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            if (rule.AppliesTo(route, model, stream) && Mix.Unit(Mix.Hash(draw, (ulong)i)) < rule.Rate)
            {
                return rule.Plan;
            }
        }

        return null;
    }

    /// <summary>
    /// Forgets every occurrence count, so the same requests draw the same faults as on a fresh server
    /// (<see cref="Hosting.MockLlmServer.Reset"/>).
    /// </summary>
    public void Reset()
    {
        lock (_gate)
        {
            _occurrences.Clear();
        }
    }

    private long Next(ulong fingerprint, ILogger? logger)
    {
        var full = false;
        long occurrence;
        lock (_gate)
        {
            if (!_occurrences.TryGetValue(fingerprint, out occurrence) && _occurrences.Count >= capacity)
            {
                _occurrences.Clear();
                full = !_clearedBefore;
                _clearedBefore = true;
            }

            _occurrences[fingerprint] = ++occurrence;
        }

        if (full && logger is not null)
        {
            LogCleared(logger, capacity);
        }

        return occurrence;
    }

    [LoggerMessage(EventId = LogEvents.FaultScheduleCleared, Level = LogLevel.Warning,
        Message = "The fault schedule counted {Capacity} distinct requests and starts its counts again; from here the same requests may draw other faults than in a fresh run (logged once)")]
    private static partial void LogCleared(ILogger logger, int capacity);

    /// <summary>FNV-1a over the bytes, finished by SplitMix64 (<see cref="Mix"/>): stable across runs and machines.</summary>
    internal static ulong HashOf(ReadOnlySequence<byte> body)
    {
        var h = 14695981039346656037UL;
        foreach (var segment in body)
        {
            foreach (var b in segment.Span)
            {
                h = (h ^ b) * 1099511628211UL;
            }
        }

        return Mix.Hash(h);
    }

    /// <summary>The request body's hash, set by <see cref="NoteBody"/> for <see cref="Draw(HttpContext, string, string, bool)"/>.</summary>
    private sealed record RequestBodyHash(ulong Value);
}
