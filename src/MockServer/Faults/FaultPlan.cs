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

    /// <summary>A wait on the injected clock before the first byte of the response, streamed or not.</summary>
    SlowFirstByte,
}

/// <summary>
/// One fault, in the syntax of the request header <c>X-Mock-Fault: kind=value[;key=value…]</c>, which a fixture's
/// <c>fault</c> and a behaviour file's rules share. Parsed strictly: an unknown kind, key or value is a 400 naming the
/// header (or, in a file, a load error naming its path), so a typo never silently runs without its fault. Frames are
/// counted from 1 and are the <c>data: {json}</c> events of a stream; <c>[DONE]</c> is not a frame.
/// </summary>
internal sealed record FaultPlan(FaultKind Kind, int Frame, int Status = 0, int? RetryAfterSeconds = null, TimeSpan Stall = default)
{
    public const string Header = "X-Mock-Fault";
    public const string AppliedHeader = "X-Mock-Fault-Applied";

    /// <summary>The longest wait a fault may ask for (an hour): longer is a typo, not a test.</summary>
    private const int MaxWaitMs = 3_600_000;

    /// <summary>Whether the fault acts on SSE frames (and so needs <c>"stream": true</c>).</summary>
    public bool IsStreamFault => Kind is not (FaultKind.Status or FaultKind.SlowFirstByte);

    /// <summary>The fault in the header's own syntax, canonical: what <see cref="AppliedHeader"/> and the log say.</summary>
    public string Describe() => Kind switch
    {
        FaultKind.Status => RetryAfterSeconds is { } s ? Inv($"status={Status};retry_after={s}") : Inv($"status={Status}"),
        FaultKind.ErrorAfter => Inv($"error_after={Frame}"),
        FaultKind.DisconnectAfter => Inv($"disconnect_after={Frame}"),
        FaultKind.ResetAfter => Inv($"reset_after={Frame}"),
        FaultKind.MalformedAt => Inv($"malformed_at={Frame}"),
        FaultKind.SlowFirstByte => Inv($"slow_first_byte={(long)Stall.TotalMilliseconds}"),
        _ => Inv($"stall_before={Frame};ms={(long)Stall.TotalMilliseconds}"),
    };

    /// <summary>Parses the header's value; throws <see cref="ApiErrorException"/> (400, param = the header) when it is not one fault.</summary>
    public static FaultPlan Parse(string value)
    {
        try
        {
            return Read(value);
        }
        catch (FormatException e)
        {
            throw new ApiErrorException(ApiError.InvalidValue(Header, $"Invalid '{Header}' header: {e.Message} Syntax: kind=value[;key=value...]."));
        }
    }

    /// <summary>
    /// Reads one fault in the header's syntax, wherever it is written (the header, a fixture's <c>fault</c>, a behaviour
    /// file's rule); throws <see cref="FormatException"/> whose message says what is wrong, for the caller to place.
    /// </summary>
    public static FaultPlan Read(string value)
    {
        var pairs = Http.KeyValueList.Split(value);
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
                Stall: TimeSpan.FromMilliseconds(Number("ms", Take(options, "ms") ?? throw new FormatException("stall_before needs ms=<milliseconds>."), 0, MaxWaitMs))),
            "slow_first_byte" => new FaultPlan(FaultKind.SlowFirstByte, 0, Stall: TimeSpan.FromMilliseconds(Number(kind, raw, 0, MaxWaitMs))),
            _ => throw new FormatException($"unknown kind '{kind}'. Kinds: status, error_after, disconnect_after, reset_after, malformed_at, stall_before, slow_first_byte."),
        };

        if (options.Count > 0)
        {
            throw new FormatException($"'{options.Keys.First()}' is not an option of {kind}.");
        }

        return plan;
    }

    private static string? Take(Dictionary<string, string> options, string key) => options.Remove(key, out var v) ? v : null;

    private static int Number(string key, string raw, int min, int max) =>
        int.TryParse(raw, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException(Inv($"{key} must be a whole number from {min} to {max}, got '{raw}'."));

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
