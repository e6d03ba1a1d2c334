using System.Globalization;
using MockServer.Errors;

namespace MockServer.Faults;

/// <summary>What a fault does (issue 8, "Faults, reproducible").</summary>
internal enum FaultKind
{
    /// <summary>An HTTP error before the first byte.</summary>
    Status,

    /// <summary>N frames, then <c>data: {"error": …}</c> and <c>data: [DONE]</c> (spec-facts §4.6, §11 item 5).</summary>
    ErrorAfter,

    /// <summary>N frames, then a clean close without <c>[DONE]</c>.</summary>
    DisconnectAfter,

    /// <summary>N frames, then the connection is aborted.</summary>
    ResetAfter,

    /// <summary>Frame N is written as invalid JSON.</summary>
    MalformedAt,

    /// <summary>A wait on the injected clock before frame N.</summary>
    StallBefore,
}

/// <summary>
/// One fault asked for by a request (<c>X-Mock-Fault: kind=value[;key=value…]</c>), parsed strictly: an unknown kind,
/// key or value is a 400 naming the header, so a typo in a test never silently runs without its fault. Frames are
/// counted from 1 and are the <c>data: {json}</c> events of a stream; <c>[DONE]</c> is not a frame.
/// </summary>
internal sealed record FaultPlan(FaultKind Kind, int Frame, int Status = 0, int? RetryAfterSeconds = null, TimeSpan Stall = default)
{
    public const string Header = "X-Mock-Fault";
    public const string AppliedHeader = "X-Mock-Fault-Applied";

    /// <summary>Whether the fault acts on SSE frames (and so needs <c>"stream": true</c>).</summary>
    public bool IsStreamFault => Kind != FaultKind.Status;

    /// <summary>The fault in the header's own syntax, canonical: what <see cref="AppliedHeader"/> and the log say.</summary>
    public string Describe() => Kind switch
    {
        FaultKind.Status => RetryAfterSeconds is { } s ? Inv($"status={Status};retry_after={s}") : Inv($"status={Status}"),
        FaultKind.ErrorAfter => Inv($"error_after={Frame}"),
        FaultKind.DisconnectAfter => Inv($"disconnect_after={Frame}"),
        FaultKind.ResetAfter => Inv($"reset_after={Frame}"),
        FaultKind.MalformedAt => Inv($"malformed_at={Frame}"),
        _ => Inv($"stall_before={Frame};ms={(long)Stall.TotalMilliseconds}"),
    };

    /// <summary>Parses the header's value; throws <see cref="ApiErrorException"/> (400, param = the header) when it is not one fault.</summary>
    public static FaultPlan Parse(string value)
    {
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        var pairs = new List<(string Key, string Value)>(parts.Length);
        foreach (var part in parts)
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw Bad($"'{part}' is not key=value.");
            }

            var key = part[..eq].Trim();
            if (pairs.Exists(p => p.Key == key))
            {
                throw Bad($"'{key}' appears more than once.");
            }

            pairs.Add((key, part[(eq + 1)..].Trim()));
        }

        var (kind, raw) = pairs[0];
        var options = pairs.Skip(1).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        FaultPlan plan = kind switch
        {
            "status" => new FaultPlan(FaultKind.Status, 0, Status: Number(kind, raw, 400, 599),
                RetryAfterSeconds: Take(options, "retry_after") is { } s ? Number("retry_after", s, 0, 86_400) : null),
            "error_after" => new FaultPlan(FaultKind.ErrorAfter, Number(kind, raw, 1, int.MaxValue)),
            "disconnect_after" => new FaultPlan(FaultKind.DisconnectAfter, Number(kind, raw, 1, int.MaxValue)),
            "reset_after" => new FaultPlan(FaultKind.ResetAfter, Number(kind, raw, 1, int.MaxValue)),
            "malformed_at" => new FaultPlan(FaultKind.MalformedAt, Number(kind, raw, 1, int.MaxValue)),
            "stall_before" => new FaultPlan(FaultKind.StallBefore, Number(kind, raw, 1, int.MaxValue),
                Stall: TimeSpan.FromMilliseconds(Number("ms", Take(options, "ms") ?? throw Bad("stall_before needs ms=<milliseconds>."), 0, 3_600_000))),
            _ => throw Bad($"unknown kind '{kind}'. Kinds: status, error_after, disconnect_after, reset_after, malformed_at, stall_before."),
        };

        if (options.Count > 0)
        {
            throw Bad($"'{options.Keys.First()}' is not an option of {kind}.");
        }

        return plan;
    }

    private static string? Take(Dictionary<string, string> options, string key) => options.Remove(key, out var v) ? v : null;

    private static int Number(string key, string raw, int min, int max) =>
        int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw Bad(Inv($"{key} must be a whole number from {min} to {max}, got '{raw}'."));

    private static ApiErrorException Bad(string detail) =>
        new(ApiError.InvalidValue(Header, $"Invalid '{Header}' header: {detail} Syntax: kind=value[;key=value...]."));

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
