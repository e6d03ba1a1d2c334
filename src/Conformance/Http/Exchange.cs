using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Sse;

namespace Conformance.Http;

/// <summary>Why a request did not yield a complete response.</summary>
internal enum TransportFailure
{
    /// <summary>The response was read completely.</summary>
    None,

    /// <summary>The per-request timeout elapsed (a hung endpoint).</summary>
    Timeout,

    /// <summary>The run-wide timeout elapsed or the run was cancelled.</summary>
    RunTimeout,

    /// <summary>The connection failed or was reset.</summary>
    Connection,

    /// <summary>The body exceeded the byte cap and was cut.</summary>
    BodyTooLarge,

    /// <summary>The stream exceeded the event or byte cap (an endless stream) and was cut.</summary>
    StreamCapReached,

    /// <summary>The token budget did not allow the request; nothing was sent.</summary>
    BudgetExhausted,
}

/// <summary>How a request authenticates; the wrong and missing variants exist for the auth checks.</summary>
internal enum AuthMode
{
    /// <summary>Send the configured key, if any.</summary>
    Configured,

    /// <summary>Send no Authorization header.</summary>
    None,

    /// <summary>Send a key that cannot be valid.</summary>
    Wrong,
}

/// <summary>A request the suite wants sent.</summary>
/// <param name="Probe">A stable name for the request, used to share it between checks.</param>
/// <param name="Method">The HTTP method.</param>
/// <param name="Path">The path relative to the base URL, e.g. <c>completions</c>.</param>
/// <param name="Body">The body text, sent byte for byte (it may be deliberately invalid JSON).</param>
/// <param name="ContentType">The Content-Type header value.</param>
/// <param name="Auth">How to authenticate.</param>
/// <param name="Stream">Whether to parse the body as an event stream while reading it.</param>
/// <param name="TokenEstimate">The worst-case tokens the request may cost; 0 for requests that generate nothing.</param>
/// <param name="AbandonAfterEvents">
/// For a stream: stop reading after this many events and close the connection (0 reads to the end). A probe a lenient
/// server might answer with unbounded output is sent streamed and abandoned, so it costs a few tokens whatever the server does.
/// </param>
internal sealed record RequestSpec(
    string Probe,
    HttpMethod Method,
    string Path,
    string? Body,
    string ContentType = "application/json",
    AuthMode Auth = AuthMode.Configured,
    bool Stream = false,
    int TokenEstimate = 0,
    int AbandonAfterEvents = 0);

/// <summary>One 429/503 answer that the client waited on (or refused to wait on) before retrying.</summary>
/// <param name="Status">The status received.</param>
/// <param name="RetryAfter">The raw Retry-After header, if any.</param>
/// <param name="RetryAfterValid">Whether the header parsed as delta-seconds or an HTTP date.</param>
/// <param name="Waited">How long the client waited before the next attempt.</param>
/// <param name="Excerpt">The start of the body, for evidence.</param>
/// <param name="ErrorCode">The body's <c>error.code</c>, else <c>error.type</c>, when a string (e.g. <c>insufficient_quota</c>).</param>
/// <param name="ShouldRetry">The raw <c>x-should-retry</c> header, if any (spec-facts §6.4).</param>
internal sealed record AttemptRecord(int Status, string? RetryAfter, bool RetryAfterValid, TimeSpan Waited, string Excerpt, string? ErrorCode = null, string? ShouldRetry = null)
{
    /// <summary>
    /// Gets a value indicating whether the server said that retrying cannot help: <c>x-should-retry: false</c>, the
    /// value on which the OpenAI SDK never retries (spec-facts §6.4, §11 item 6). Compared as the SDK does, exactly.
    /// </summary>
    public bool RetryRefused => Exchange.RetryRefused(ShouldRetry);
}

/// <summary>One answer that carried <c>x-ratelimit-*</c> headers (spec-facts §6.4), recorded whatever its status.</summary>
/// <param name="Exchange">The exchange the answer belongs to (for a retried 429/503, the exchange's later answer may differ).</param>
/// <param name="Status">The status of this answer.</param>
/// <param name="Headers">The headers, one entry per field line (a repeated header comes more than once), names lower-cased, values as received (redacted and cut to 100 characters).</param>
internal sealed record RateLimitSighting(Exchange Exchange, int Status, IReadOnlyList<KeyValuePair<string, string>> Headers)
{
    public const string Prefix = "x-ratelimit-";
}

/// <summary>A recorded request and its response: status, headers, capped raw bytes, and for streams the parsed events.</summary>
internal sealed class Exchange
{
    private static readonly JsonDocumentOptions StrictJson = new() { AllowDuplicateProperties = false };

    public required RequestSpec Spec { get; init; }

    public required Uri Url { get; init; }

    /// <summary>Gets the request as sent, headers included, with the key redacted.</summary>
    public required string RequestText { get; init; }

    /// <summary>Gets the redactor applied to response text before it is cut for evidence.</summary>
    public Redactor? Redactor { get; init; }

    public int? Status { get; set; }

    public string? ContentType { get; set; }

    public string? RetryAfter { get; set; }

    /// <summary>Gets or sets the raw <c>x-should-retry</c> header, if any (spec-facts §6.4).</summary>
    public string? ShouldRetry { get; set; }

    public byte[] Body { get; set; } = [];

    public TransportFailure Failure { get; set; }

    /// <summary>Gets or sets a value indicating whether the client stopped reading the stream on purpose (<see cref="RequestSpec.AbandonAfterEvents"/>); not a failure.</summary>
    public bool Abandoned { get; set; }

    public string? FailureDetail { get; set; }

    /// <summary>Gets the 429/503 answers that preceded the final one.</summary>
    public List<AttemptRecord> Retries { get; } = [];

    public TimeSpan Elapsed { get; set; }

    /// <summary>
    /// Gets or sets why the first attempt was sent again on a fresh connection (it failed before any response byte, a
    /// transport race: spec-facts §12.1), or null when it was not.
    /// </summary>
    public string? TransportRetry { get; set; }

    /// <summary>Gets or sets how many times the request was actually sent (retries included).</summary>
    public int Attempts { get; set; }

    /// <summary>Gets or sets the suite's own parse of the stream, when the request streamed.</summary>
    public SseReader? Sse { get; set; }

    public bool IsSuccess => Failure == TransportFailure.None && Status is >= 200 and < 300;

    /// <summary>Gets a value indicating whether no complete answer came back (no status, or a transport failure): nothing a rule can judge.</summary>
    public bool Unanswered => Status is null || Failure != TransportFailure.None;

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>Gets the body parsed as JSON, or null when it is not JSON (or not usable JSON: see <see cref="JsonError"/>).</summary>
    /// <remarks>
    /// A fresh tree on every read: several checks read one shared exchange in parallel, and a <see cref="JsonNode"/>
    /// materialises its children lazily, which is not safe across threads. Bodies are capped, so re-parsing is cheap.
    /// Duplicate keys are rejected while parsing: a lazily materialised object would otherwise throw on first access.
    /// </remarks>
    public JsonNode? Json => Body.Length == 0 ? null : ParseStrict(Body, out _);

    /// <summary>Gets why the body is not usable JSON (e.g. a duplicate key), or null when it parses or is empty.</summary>
    public string? JsonError
    {
        get
        {
            if (Body.Length == 0)
            {
                return null;
            }

            ParseStrict(Body, out var error);
            return error is null ? null : Redactor?.Redact(error) ?? error;
        }
    }

    /// <summary>Parses JSON, rejecting duplicate keys; never throws. <paramref name="error"/> says why it returned null.</summary>
    public static JsonNode? ParseStrict(ReadOnlySpan<byte> utf8, out string? error)
    {
        error = null;
        try
        {
            return JsonNode.Parse(utf8, documentOptions: StrictJson);
        }
        catch (JsonException ex)
        {
            error = ex.Message;
            return null;
        }
        catch (ArgumentException ex)
        {
            error = ex.Message;
            return null;
        }
    }

    /// <inheritdoc cref="ParseStrict(ReadOnlySpan{byte}, out string?)"/>
    public static JsonNode? ParseStrict(string text, out string? error) => ParseStrict(Encoding.UTF8.GetBytes(text), out error);

    /// <summary>
    /// Whether an <c>x-should-retry</c> value tells clients not to retry. The OpenAI SDK compares the header with
    /// <c>"false"</c> exactly (spec-facts §6.4), so <c>False</c> or <c>0</c> would still be retried by it, and is not taken here.
    /// </summary>
    public static bool RetryRefused(string? shouldRetry) => string.Equals(shouldRetry, "false", StringComparison.Ordinal);

    /// <summary>Resets the response side before a retry.</summary>
    public void ResetResponse()
    {
        Status = null;
        ContentType = null;
        RetryAfter = null;
        ShouldRetry = null;
        Body = [];
        Sse = null;
        Abandoned = false;
    }

    /// <summary>A short description of the response for evidence: status line, content type, body start.</summary>
    public string Describe(int maxBody = 600)
    {
        var sb = new StringBuilder();
        if (TransportRetry is not null)
        {
            sb.Append("note: sent twice: the first attempt failed before any response byte (").Append(TransportRetry)
                .Append("), so it was retried once on a fresh connection\n");
        }

        if (Failure != TransportFailure.None)
        {
            sb.Append("transport: ").Append(Failure).Append(FailureDetail is null ? string.Empty : $" ({FailureDetail})").Append('\n');
        }
        else if (FailureDetail is not null)
        {
            // E.g. why a 503 was not retried: its Retry-After exceeded the bound.
            sb.Append("note: ").Append(FailureDetail).Append('\n');
        }

        if (Abandoned)
        {
            sb.Append("note: a bounded probe: the stream was abandoned after ").Append(Spec.AbandonAfterEvents).Append(" event(s), the rest was never read\n");
        }

        if (Status is { } status)
        {
            sb.Append("HTTP ").Append(status);
            if (ContentType is not null)
            {
                sb.Append(" Content-Type: ").Append(ContentType);
            }

            // Redacted before it is cut: a cut through an echoed key would leave its prefix unmatched.
            sb.Append('\n').Append(Redactor is null ? Excerpt(BodyText, maxBody) : Redactor.Excerpt(BodyText, maxBody));
            if (JsonError is { } jsonError && jsonError.Contains("uplicate", StringComparison.Ordinal))
            {
                sb.Append("\nnot usable JSON: ").Append(Excerpt(jsonError, 200));
            }
        }

        return sb.ToString().TrimEnd();
    }

    /// <summary>Cuts <paramref name="text"/> to <paramref name="max"/> characters, saying how much was left out.</summary>
    public static string Excerpt(string text, int max = 600)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length <= max ? text : string.Concat(text.AsSpan(0, max), $"… [{text.Length - max} more chars]");
    }
}
