using System.Text.Json.Serialization;

namespace Conformance;

/// <summary>How much a profile cares about a check.</summary>
public enum CheckLevel
{
    /// <summary>A failure fails the run.</summary>
    [JsonStringEnumMemberName("MUST")]
    Must,

    /// <summary>A failure is a warning.</summary>
    [JsonStringEnumMemberName("SHOULD")]
    Should,

    /// <summary>The profile expects this endpoint to diverge; the check runs and a failure is reported as an expected divergence.</summary>
    [JsonStringEnumMemberName("DIVERGENCE")]
    ExpectedDivergence,

    /// <summary>The rule does not exist for this profile; the check does not run.</summary>
    [JsonStringEnumMemberName("N/A")]
    NotApplicable,
}

/// <summary>The result of one check.</summary>
public enum Verdict
{
    /// <summary>The endpoint keeps the rule.</summary>
    [JsonStringEnumMemberName("pass")]
    Pass,

    /// <summary>A MUST rule is broken, or the check could not be evaluated because the endpoint failed.</summary>
    [JsonStringEnumMemberName("fail")]
    Fail,

    /// <summary>A SHOULD rule is broken.</summary>
    [JsonStringEnumMemberName("warn")]
    Warn,

    /// <summary>The rule is broken in the way the profile expects (reported, not hidden).</summary>
    [JsonStringEnumMemberName("divergence")]
    Divergence,

    /// <summary>The rule does not apply (profile, or missing configuration such as no key).</summary>
    [JsonStringEnumMemberName("not-applicable")]
    NotApplicable,

    /// <summary>The check was not evaluated because a bound (the token budget) stopped it.</summary>
    [JsonStringEnumMemberName("skipped")]
    Skipped,
}

/// <summary>What a failure carries so a reader can act on it without re-running.</summary>
public sealed class Evidence
{
    /// <summary>Gets or sets the request as sent (method, URL, headers with the key redacted, body).</summary>
    public string? Request { get; set; }

    /// <summary>Gets or sets the offending frame or body excerpt.</summary>
    public string? Excerpt { get; set; }

    /// <summary>Gets or sets what the rule expects.</summary>
    public string? Expected { get; set; }

    /// <summary>Gets or sets what the endpoint did.</summary>
    public string? Seen { get; set; }
}

/// <summary>One check's outcome in a report.</summary>
public sealed class CheckReport
{
    /// <summary>Gets or sets the stable check id, e.g. <c>stream.finish-reason.on-last-content-chunk</c>.</summary>
    public required string Id { get; set; }

    /// <summary>Gets or sets the one-line title.</summary>
    public required string Title { get; set; }

    /// <summary>Gets or sets the category (the first segment of the id).</summary>
    public required string Category { get; set; }

    /// <summary>Gets or sets the spec section the check enforces.</summary>
    public required string Spec { get; set; }

    /// <summary>Gets or sets the level the profile gives the check.</summary>
    public CheckLevel Level { get; set; }

    /// <summary>Gets or sets the verdict.</summary>
    public Verdict Verdict { get; set; }

    /// <summary>Gets or sets a one-line explanation.</summary>
    public string Message { get; set; } = string.Empty;

    /// <summary>Gets or sets the evidence of a failure (null on a pass).</summary>
    public Evidence? Evidence { get; set; }

    /// <summary>Gets or sets how long the check took, in milliseconds.</summary>
    public long DurationMs { get; set; }
}

/// <summary>The endpoint and expectations a report is about.</summary>
public sealed class ReportTarget
{
    /// <summary>Gets or sets the base URL.</summary>
    public required string BaseUrl { get; set; }

    /// <summary>Gets or sets the model requested.</summary>
    public required string Model { get; set; }

    /// <summary>Gets or sets the profile name.</summary>
    public required string Profile { get; set; }
}

/// <summary>Verdict counts.</summary>
public sealed class ReportSummary
{
    /// <summary>Gets or sets the number of checks reported.</summary>
    public int Total { get; set; }

    /// <summary>Gets or sets the passed count.</summary>
    public int Passed { get; set; }

    /// <summary>Gets or sets the failed count.</summary>
    public int Failed { get; set; }

    /// <summary>Gets or sets the warning count.</summary>
    public int Warned { get; set; }

    /// <summary>Gets or sets the expected-divergence count.</summary>
    public int Divergent { get; set; }

    /// <summary>Gets or sets the not-applicable count.</summary>
    public int NotApplicable { get; set; }

    /// <summary>Gets or sets the skipped count.</summary>
    public int Skipped { get; set; }
}

/// <summary>Cost and retry accounting for the run.</summary>
public sealed class ReportUsage
{
    /// <summary>Gets or sets the token budget.</summary>
    public int TokenBudget { get; set; }

    /// <summary>
    /// Gets or sets the tokens received: the reported <c>usage.total_tokens</c>, else counted from the bodies. Requests
    /// that got no answer or a 4xx/5xx count 0 (docs/conformance.md, "How the budget counts").
    /// </summary>
    public int TokensSpent { get; set; }

    /// <summary>Gets or sets the number of HTTP requests sent, retries included.</summary>
    public int Requests { get; set; }

    /// <summary>Gets or sets how many of <see cref="Requests"/> received an HTTP status line; 0 with requests sent means nothing answered.</summary>
    public int Responses { get; set; }

    /// <summary>Gets or sets how many requests failed before any response byte and were retried once on a fresh connection.</summary>
    public int TransportRetries { get; set; }

    /// <summary>Gets or sets how many 429/503 answers were retried.</summary>
    public int Retries { get; set; }

    /// <summary>Gets or sets the total time spent waiting on Retry-After, in milliseconds.</summary>
    public long RetryWaitMs { get; set; }
}

/// <summary>The result of a conformance run; serialised as the JSON report (<c>schemas/conformance-report.schema.json</c>).</summary>
public sealed class ConformanceReport
{
    /// <summary>The JSON report schema version this build writes.</summary>
    public const string CurrentSchemaVersion = "1.1";

    /// <summary>Gets or sets the report schema version.</summary>
    public string SchemaVersion { get; set; } = CurrentSchemaVersion;

    /// <summary>Gets or sets when the run started (UTC).</summary>
    public DateTimeOffset StartedAt { get; set; }

    /// <summary>Gets or sets how long the run took, in milliseconds.</summary>
    public long DurationMs { get; set; }

    /// <summary>Gets or sets what was checked.</summary>
    public required ReportTarget Target { get; set; }

    /// <summary>Gets or sets the verdict counts.</summary>
    public ReportSummary Summary { get; set; } = new();

    /// <summary>Gets or sets the cost and retry accounting.</summary>
    public ReportUsage Usage { get; set; } = new();

    /// <summary>Gets or sets the checks in catalogue order.</summary>
    public List<CheckReport> Checks { get; set; } = [];

    /// <summary>Gets or sets observed behaviours (facts such as <c>stream.usage_chunk_present</c>) that <c>diff</c> compares.</summary>
    public SortedDictionary<string, string> Observations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Gets a value indicating whether every check that applies passed (warnings and expected divergences allowed).</summary>
    [JsonIgnore]
    public bool Succeeded => Summary.Failed == 0 && Summary.Skipped == 0;

    /// <summary>Gets a value indicating whether requests were sent and none of them got an HTTP answer (e.g. a dead port).</summary>
    [JsonIgnore]
    public bool NothingAnswered => Usage.Requests > 0 && Usage.Responses == 0;
}
