namespace Conformance;

/// <summary>What to check and within which bounds. Defaults are safe for a paid endpoint.</summary>
public sealed class ConformanceOptions
{
    /// <summary>Gets or sets the base URL including the version segment, e.g. <c>http://127.0.0.1:8000/v1</c>.</summary>
    public required Uri BaseUrl { get; set; }

    /// <summary>Gets or sets the bearer key; null sends no key and marks the auth checks not applicable.</summary>
    /// <value>Default: null. It is never written to any output.</value>
    public string? ApiKey { get; set; }

    /// <summary>Gets or sets the model alias to request.</summary>
    public required string Model { get; set; }

    /// <summary>Gets or sets the profile name (<c>acs</c>, <c>openai</c>, <c>vllm</c>, <c>llamacpp</c>).</summary>
    /// <value>Default: <c>acs</c>.</value>
    public string Profile { get; set; } = "acs";

    /// <summary>Gets the check ids or categories to run; empty runs every check.</summary>
    public IList<string> Only { get; } = [];

    /// <summary>Gets the check ids or categories to leave out.</summary>
    public IList<string> Skip { get; } = [];

    /// <summary>
    /// Gets or sets a value indicating whether the chat tool-call probe (<c>chat.tools.*</c>) runs. It is opt-in because a
    /// forced tool call costs real tokens on a paid endpoint; when off those checks are not applicable.
    /// </summary>
    /// <value>Default: false.</value>
    public bool ToolProbe { get; set; }

    /// <summary>Gets or sets the run-wide token budget.</summary>
    /// <value>Default: 4,000 tokens.</value>
    public int TokenBudget { get; set; } = 4_000;

    /// <summary>Gets or sets how many requests may be in flight at once.</summary>
    /// <value>Default: 4.</value>
    public int MaxConcurrency { get; set; } = 4;

    /// <summary>Gets or sets the time one request (headers and whole body) may take.</summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the time the whole run may take; checks not finished by then fail as not evaluated.</summary>
    /// <value>Default: 5 minutes.</value>
    public TimeSpan RunTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets the most bytes read from one response body.</summary>
    /// <value>Default: 1 MiB.</value>
    public int MaxBodyBytes { get; set; } = 1 << 20;

    /// <summary>Gets or sets the most events read from one stream (guards against endless streams).</summary>
    /// <value>Default: 2,000.</value>
    public int MaxStreamEvents { get; set; } = 2_000;

    /// <summary>Gets or sets how many times a 429/503 is retried.</summary>
    /// <value>Default: 3.</value>
    public int MaxRetries { get; set; } = 3;

    /// <summary>Gets or sets the longest Retry-After the suite will honour; longer waits are reported, not waited.</summary>
    /// <value>Default: 30 seconds.</value>
    public TimeSpan MaxRetryWait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the wait before retrying a 429/503 that carried no usable Retry-After.</summary>
    /// <value>Default: 1 second.</value>
    public TimeSpan DefaultRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets extra headers sent on every request (CLI <c>--header "Name: value"</c>), e.g. a gateway's routing header.
    /// </summary>
    /// <remarks>
    /// The request evidence shows every extra header. Its value is masked (<c>***</c>) when it may be a secret: the
    /// name contains <c>auth</c>, <c>key</c>, <c>token</c>, <c>secret</c>, <c>cookie</c>, <c>session</c>,
    /// <c>password</c>, <c>signature</c> or <c>credential</c>, or the value holds a run of 16 or more letters, digits,
    /// <c>-</c> or <c>_</c> mixing letters and digits (or of 32 or more). Such a value is then redacted from every
    /// output by the key's rule (docs/conformance.md, "Redaction"), also where an endpoint echoes it in a body. Any
    /// other value, e.g. <c>X-Route: blue</c> or a short value under a neutral name, is shown as sent in evidence and
    /// reports: a secret belongs under a name that says so. A masked value that is short or an ordinary word is masked
    /// wherever it occurs in the output, as a short key is.
    /// </remarks>
    public IList<KeyValuePair<string, string>> Headers { get; } = [];

    /// <summary>
    /// Gets extra headers sent only on streaming requests (CLI <c>--stream-header</c>). A fault that acts on stream frames,
    /// such as the MockServer's <c>X-Mock-Fault: disconnect_after=3</c>, goes here: on a non-streaming request the mock
    /// refuses it with a 400, which would hide the fault's effect behind refusals of every other check. Values are shown
    /// and masked as those of <see cref="Headers"/> are.
    /// </summary>
    public IList<KeyValuePair<string, string>> StreamHeaders { get; } = [];

    /// <summary>Gets or sets the clock used for timeouts, retry waits and report timestamps.</summary>
    /// <value>Default: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets a callback told about each check as it completes (console progress).</summary>
    public IProgress<CheckReport>? Progress { get; set; }
}
