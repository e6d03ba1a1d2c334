using System.Buffers;
using System.Collections.Concurrent;
using MockServer.Generation;

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
/// The occurrence counts are kept per distinct request for the server's life: a few dozen bytes per distinct request,
/// which a test server can afford, and the price of reproducibility under concurrency.
/// </remarks>
internal sealed class FaultSchedule(ulong seed, IReadOnlyList<ScheduledFault> rules)
{
    private readonly ConcurrentDictionary<ulong, long> _occurrences = new();

    /// <summary>No rules: nothing is ever drawn, and requests are not fingerprinted.</summary>
    public static FaultSchedule None { get; } = new(0, []);

    public ulong Seed { get; } = seed;

    public IReadOnlyList<ScheduledFault> Rules { get; } = rules;

    public bool IsActive => Rules.Count > 0;

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

    /// <summary>The fault drawn for this request, or null.</summary>
    public FaultPlan? Draw(HttpContext context, string model, bool stream)
    {
        string path = context.Request.Path;
        var body = context.Features.Get<RequestBodyHash>()?.Value ?? 0;
        return Draw(path, model, stream, body);
    }

    /// <summary>The fault drawn for a request with this path, model and body hash (the next occurrence of it), or null.</summary>
    internal FaultPlan? Draw(string path, string model, bool stream, ulong bodyHash)
    {
        var fingerprint = Mix.Hash(Mix.OfString(path), Mix.OfString(model), bodyHash);
        var occurrence = _occurrences.AddOrUpdate(fingerprint, 1, static (_, n) => n + 1);
        var draw = Mix.Hash(Seed, fingerprint, (ulong)occurrence);
        for (var i = 0; i < Rules.Count; i++)
        {
            var rule = Rules[i];
            if (rule.AppliesTo(path, model, stream) && Mix.Unit(Mix.Hash(draw, (ulong)i)) < rule.Rate)
            {
                return rule.Plan;
            }
        }

        return null;
    }

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

    /// <summary>The request body's hash, set by <see cref="NoteBody"/> for <see cref="Draw(HttpContext, string, bool)"/>.</summary>
    private sealed record RequestBodyHash(ulong Value);
}
