using MockServer.Fixtures;
using MockServer.Validation;

namespace MockServer.Hosting;

/// <summary>Everything that configures a mock server, in process or from the command line.</summary>
public sealed class MockServerOptions
{
    /// <summary>Load the default fixtures embedded in the server (the provider docs' examples and three models).</summary>
    /// <value>Default <see langword="true"/>.</value>
    public bool IncludeDefaultFixtures { get; set; } = true;

    /// <summary>A folder of <c>*.json</c> fixture files that add to the defaults; a file named like a default replaces it.</summary>
    /// <value>Default <see langword="null"/> (none).</value>
    public string? FixturesDirectory { get; set; }

    /// <summary>Fixture documents given in code; they take precedence over files.</summary>
    public IList<FixtureDocument> Fixtures { get; } = [];

    /// <summary>Bearer keys accepted on <c>/v1</c>, without names or limits. When no key is configured at all (here, <see cref="Keys"/> or <see cref="KeysFile"/>), no authentication is required.</summary>
    public IList<string> ApiKeys { get; } = [];

    /// <summary>
    /// A keys file (<c>schemas/keys.schema.json</c>): <c>/v1</c> keys with names, token budgets and per-minute limits.
    /// A bad file stops the start with a <see cref="Budgets.KeysFileException"/> naming the file, JSON path and line.
    /// </summary>
    /// <value>Default <see langword="null"/> (none).</value>
    public string? KeysFile { get; set; }

    /// <summary>Keys with names and limits given in code, as in a keys file; they come after the file's.</summary>
    public IList<Budgets.ApiKeyEntry> Keys { get; } = [];

    /// <summary>Largest request body accepted before answering 413.</summary>
    /// <value>Default 4 MiB.</value>
    public long MaxRequestBodyBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Most work one request may ask of the mock: token positions generated (prompts × <c>best_of</c> ×
    /// <c>max_tokens</c>) plus prompt tokens scored (echo with logprobs, <c>prompt_logprobs</c>), each weighted by
    /// the entries shown per position (1 + k + 1 with logprobs k). Not a provider rule: it keeps one request from
    /// tying up a shared test server for minutes or building a response of gigabytes.
    /// </summary>
    /// <value>Default 1,048,576.</value>
    public long MaxGeneratedTokensPerRequest { get; set; } = 1 << 20;

    /// <summary>
    /// The time between two streamed tokens (the inter-token latency of <see cref="Timing"/> when that names none), to
    /// make streams observable in real time: the first frame is sent at once, frame k k delays later, none after the last.
    /// </summary>
    /// <value>Default zero.</value>
    public TimeSpan TokenDelay { get; set; }

    /// <summary>
    /// The server-wide timing model (time to first token, prefill, inter-token latency, jitter); models, fixtures and a
    /// request's <c>X-Mock-Timing</c> header override it field by field. <see cref="TokenDelay"/> is its inter-token
    /// latency when this names none.
    /// </summary>
    /// <value>Default <see langword="null"/> (no waiting).</value>
    public StreamTiming? Timing { get; set; }

    /// <summary>
    /// A behaviour file (<c>schemas/behaviour.schema.json</c>, <c>--behaviour FILE</c>): the server-wide timing (it sets
    /// <see cref="Timing"/>'s fields it names) and a seeded fault schedule. Validated at start like fixtures: a bad
    /// file throws <see cref="BehaviourLoadException"/> naming the file and JSON path.
    /// </summary>
    /// <value>Default <see langword="null"/> (none).</value>
    public string? BehaviourFile { get; set; }

    /// <summary>The same as <see cref="BehaviourFile"/>, given in code; only one of the two may be set.</summary>
    /// <value>Default <see langword="null"/> (none).</value>
    public BehaviourDocument? Behaviour { get; set; }

    /// <summary>
    /// A streamed write that makes no progress for this long ends the request (the client stopped reading), and is
    /// logged; measured on <see cref="TimeProvider"/>. Bounds what a stalled reader holds on the server.
    /// </summary>
    /// <value>Default 30 seconds.</value>
    public TimeSpan WriteTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Maps the admin routes outside <c>/v1</c> (key usage and budgets, model eviction). Off by default.</summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool EnableAdmin { get; set; }

    /// <summary>
    /// Serves the browser workbench at <c>/workbench</c> (issue 11): one page, its assets embedded in the server, that
    /// sends requests through the real <c>/v1</c> routes and reads keys and the journal through <c>/admin</c> (so those
    /// panels follow <see cref="EnableAdmin"/> and <see cref="AdminKey"/>). On when run as a process (<c>--workbench
    /// false</c> turns it off); off in process unless set.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool EnableWorkbench { get; set; }

    /// <summary>
    /// The bearer key the admin routes take. Required with <see cref="EnableAdmin"/> when <c>/v1</c> has keys, and must
    /// differ from them: a client's key never opens the control surface.
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? AdminKey { get; set; }

    /// <summary>How many requests the journal keeps (newest kept); 0 turns it off.</summary>
    /// <value>Default 1000.</value>
    public int JournalCapacity { get; set; } = 1000;

    /// <summary>
    /// Answer a request no fixture matched with 404 <c>fixture_not_found</c>, naming the closest fixtures and why each
    /// failed, instead of letting the synthetic model answer: a test that means to be fully scripted then learns of a
    /// miss at once rather than from an odd answer. Such a request is not charged to its key.
    /// </summary>
    /// <value>Default <see langword="false"/>.</value>
    public bool StrictFixtures { get; set; }

    /// <summary>Seed for completion ids and for sampling when a request has no <c>seed</c>.</summary>
    /// <value>Default 0.</value>
    public ulong Seed { get; set; }

    /// <summary>
    /// Serve every model in this dialect (<c>acs</c>, <c>llmbase</c>, <c>openai</c>, <c>vllm</c> or <c>llamacpp</c>: the
    /// suite's profile names; docs/dialects.md lists what each changes), whatever its fixture says; null serves each
    /// model in its own. It also decides what is judged before a request names a model (Content-Type, invalid JSON).
    /// </summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? Profile { get; set; }

    /// <summary>
    /// Record mode (README, "Record and replay"): the OpenAI base URL of a real endpoint (e.g.
    /// <c>https://api.example.com/v1</c>) to which <c>/v1/completions</c>, <c>/v1/chat/completions</c> and
    /// <c>/v1/models</c> are proxied, each exchange written to <see cref="RecordDirectory"/>. Needs that directory.
    /// </summary>
    /// <value>Default <see langword="null"/> (no recording).</value>
    public Uri? RecordUpstream { get; set; }

    /// <summary>Where record mode writes its recording files (<c>schemas/recording.schema.json</c>); created if missing.</summary>
    /// <value>Default <see langword="null"/>.</value>
    public string? RecordDirectory { get; set; }

    /// <summary>
    /// The name of the environment variable that holds the upstream's key, sent upstream as a bearer key. The key is
    /// read from the environment only, and never written: not to a recording, a log or the journal.
    /// </summary>
    /// <value>Default <see langword="null"/> (no key sent upstream).</value>
    public string? RecordKeyEnvironmentVariable { get; set; }

    /// <summary>A folder of recording files to replay: a request that matches one is answered with its frames.</summary>
    /// <value>Default <see langword="null"/> (no replay).</value>
    public string? ReplayDirectory { get; set; }

    /// <summary>How replay paces frames: <c>recorded</c> (each at its recorded offset), <c>none</c>, or <c>scale=F</c>.</summary>
    /// <value>Default <c>recorded</c>.</value>
    public string ReplayTiming { get; set; } = "recorded";

    /// <summary>Replay ids and <c>created</c> as recorded, for every recording (a recording may also pin its own).</summary>
    /// <value>Default <see langword="false"/> (regenerated).</value>
    public bool ReplayPinIds { get; set; }

    /// <summary>The clock behind <c>created</c> and stream delays.</summary>
    /// <value>Default <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The dialect <see cref="Profile"/> names (case-insensitively), or null.</summary>
    internal Dialects.Dialect? ProfileDialect =>
        Profile is null ? null : Dialects.Dialects.All.FirstOrDefault(d => string.Equals(d.Name, Profile, StringComparison.OrdinalIgnoreCase));

    internal void Validate()
    {
        if (MaxRequestBodyBytes <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, "must be positive");
        }

        if (MaxGeneratedTokensPerRequest <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxGeneratedTokensPerRequest), MaxGeneratedTokensPerRequest, "must be positive");
        }

        if (TokenDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(TokenDelay), TokenDelay, "must not be negative");
        }

        if (JournalCapacity is < 0 or > 1_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(JournalCapacity), JournalCapacity, "must be from 0 to 1000000");
        }

        if (WriteTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(WriteTimeout), WriteTimeout, "must be positive");
        }

        Timing?.Validate("timing");
        if (BehaviourFile is not null && Behaviour is not null)
        {
            throw new ArgumentException("give a behaviour file or a behaviour document, not both.");
        }

                if (EnableAdmin && (ApiKeys.Count > 0 || Keys.Count > 0 || KeysFile is not null) && string.IsNullOrWhiteSpace(AdminKey))
        {
            throw new ArgumentException("the admin routes need their own key (--admin-key) when API keys are configured.");
        }

        if (AdminKey is not null && (ApiKeys.Contains(AdminKey, StringComparer.Ordinal) || Keys.Any(k => k.Key == AdminKey)))
        {
            throw new ArgumentException("the admin key must differ from every API key.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider);
        if (Profile is not null && ProfileDialect is null)
        {
            // No ParamName: the message is shown as is on the command line, where it must stay one line.
            var names = Dialects.Dialects.All.Select(d => d.Name).ToList();
            var hint = ParameterNames.Suggest(Profile, names) is { } suggestion ? $"; did you mean '{suggestion}'?" : ";";
            throw new ArgumentException($"unknown profile '{Profile}'{hint} the mock serves {string.Join(", ", names)}.");
        }
        Recording.RecordReplaySetup.Validate(this);
        if (ApiKeys.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException("API keys must not be empty.", nameof(ApiKeys));
        }
    }
}
