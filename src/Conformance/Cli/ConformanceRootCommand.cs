using System.CommandLine;
using System.Globalization;
using Conformance.Reporting;

namespace Conformance.Cli;

/// <summary>The root command: run the checks (or list them); <c>diff</c> and <c>matrix</c> are its subcommands (STYLE.md §2.17).</summary>
internal sealed class ConformanceRootCommand : RootCommand
{
    private readonly Option<string?> _baseUrl = new("--base-url") { Description = "Base URL including /v1. Default: $OPENAI_BASE_URL, then $ACS_API_BASE." };
    private readonly Option<string?> _apiKey = new("--api-key") { Description = "Bearer key. Default: $OPENAI_API_KEY, then $ACS_API_KEY. Never printed." };
    private readonly Option<string?> _model = new("--model") { Description = "Model to request. Default: the profile's model (acs: llama-8b)." };
    private readonly Option<string> _profile = new("--profile") { Description = "Expectations: " + string.Join(", ", ConformanceRunner.ProfileNames) + ".", DefaultValueFactory = _ => "acs" };
    private readonly Option<string[]> _only = new("--only") { Description = "Run only these check ids or categories (repeatable, comma-separated).", AllowMultipleArgumentsPerToken = true };
    private readonly Option<string[]> _skip = new("--skip") { Description = "Leave out these check ids or categories.", AllowMultipleArgumentsPerToken = true };
    private readonly Option<bool> _list = new("--list") { Description = "Print the check catalogue and exit." };
    private readonly Option<string> _format = new("--format") { Description = "Format of --list: text or markdown.", DefaultValueFactory = _ => "text" };
    private readonly Option<FileInfo?> _json = new("--json") { Description = "Write the JSON report (schemas/conformance-report.schema.json) here." };
    private readonly Option<FileInfo?> _junit = new("--junit") { Description = "Write a JUnit XML report here." };
    private readonly Option<FileInfo?> _html = new("--html") { Description = "Write a self-contained HTML report here (opens offline; failures' evidence one click away)." };
    private readonly Option<int> _budget = new("--budget") { Description = "Run-wide token budget.", DefaultValueFactory = _ => 4_000 };
    private readonly Option<int> _concurrency = new("--concurrency") { Description = "Requests in flight at once.", DefaultValueFactory = _ => 4 };
    private readonly Option<double> _timeout = new("--timeout") { Description = "Seconds one request may take.", DefaultValueFactory = _ => 30 };
    private readonly Option<double> _runTimeout = new("--run-timeout") { Description = "Seconds the whole run may take.", DefaultValueFactory = _ => 300 };
    private readonly Option<double> _maxRetryWait = new("--max-retry-wait") { Description = "Longest Retry-After (seconds) honoured on 429/503.", DefaultValueFactory = _ => 30 };
    private readonly Option<int> _maxBodyBytes = new("--max-body-bytes") { Description = "Most bytes read from one response.", DefaultValueFactory = _ => 1 << 20 };
    private readonly Option<bool> _quiet = new("--quiet") { Description = "No progress lines." };
    private readonly Option<bool> _toolProbe = new("--tool-probe") { Description = "Also run the chat tool-call probe (chat.tools.*): a forced function call, streamed and not; it costs tokens, so it is opt-in." };

    private readonly Option<string[]> _header = new("--header") { Description = "Send this header on every request, as \"Name: value\" (repeatable). Values that may be secrets are masked in reports." };
    private readonly Option<string[]> _streamHeader = new("--stream-header") { Description = "Send this header on streaming requests only, as \"Name: value\" (repeatable), e.g. \"X-Mock-Fault: disconnect_after=3\" against the MockServer." };

    private readonly CliEnvironment _env;

    public ConformanceRootCommand(CliEnvironment env)
        : base("Checks that an OpenAI-compatible /v1/completions endpoint keeps its contract, from the raw bytes up.")
    {
        _env = env;
        foreach (Option option in (Option[])[_baseUrl, _apiKey, _model, _profile, _only, _skip, _list, _format, _json, _junit, _html, _budget, _concurrency, _timeout, _runTimeout, _maxRetryWait, _maxBodyBytes, _quiet, _toolProbe, _header, _streamHeader])
        {
            Options.Add(option);
        }

        SetAction(ExecuteAsync);
        Subcommands.Add(new DiffCommand(env));
        Subcommands.Add(new MatrixCommand(env));
    }

    /// <summary>The raw --api-key value of the last parse this command ran, so every error line can be redacted with it.</summary>
    private string? _flagKey;

    /// <summary>The raw <c>--api-key</c> value, or null when there is none (or it could not be read from a failed parse).</summary>
    public string? RawApiKey(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        try
        {
            return parse.GetValue(_apiKey);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        _flagKey = RawApiKey(parse);
        var profileName = parse.GetValue(_profile);
        Profiles.Profile profile;
        try
        {
            profile = ConformanceRunner.ResolveProfile(profileName);
        }
        catch (ArgumentException ex)
        {
            return await UsageAsync(CliApp.UserMessage(ex));
        }

        if (parse.GetValue(_list))
        {
            var format = parse.GetValue(_format);
            if (format is not ("text" or "markdown"))
            {
                return await UsageAsync($"--format must be text or markdown, not '{format}'.");
            }

            await _env.Out.WriteAsync(format == "markdown" ? CatalogueMarkdown.Render() : CatalogueMarkdown.RenderText(profile));
            return CliApp.Passed;
        }

        var (baseUrl, apiKey) = ResolveEndpoint(parse.GetValue(_baseUrl), parse.GetValue(_apiKey));
        if (string.IsNullOrWhiteSpace(baseUrl) || !Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri))
        {
            // A malformed URL may still carry credentials: do not echo it when it has an '@'.
            return await UsageAsync(baseUrl is null
                ? "--base-url is required (or set OPENAI_BASE_URL or ACS_API_BASE)."
                : baseUrl.Contains('@', StringComparison.Ordinal) ? "--base-url is not an absolute URL." : $"--base-url '{baseUrl}' is not an absolute URL.");
        }

        if (uri.UserInfo.Length > 0)
        {
            return await UsageAsync("the base URL (--base-url, OPENAI_BASE_URL or ACS_API_BASE) must not contain credentials (user:password@); pass the key with --api-key.");
        }

        if (apiKey is not null && !IsHeaderSafe(apiKey))
        {
            // Never print the key itself: a CI secret with a trailing newline is the usual cause.
            return await UsageAsync("the API key contains control or non-ASCII characters (for example a trailing newline); fix the --api-key value or the key variable.");
        }

        var model = parse.GetValue(_model) ?? profile.DefaultModel;
        if (string.IsNullOrWhiteSpace(model))
        {
            return await UsageAsync($"--model is required for the {profile.Name} profile.");
        }

        var options = new ConformanceOptions
        {
            BaseUrl = uri,
            ApiKey = apiKey,
            Model = model,
            Profile = profile.Name,
            TokenBudget = parse.GetValue(_budget),
            MaxConcurrency = parse.GetValue(_concurrency),
            MaxBodyBytes = parse.GetValue(_maxBodyBytes),
            ToolProbe = parse.GetValue(_toolProbe),
            TimeProvider = _env.Clock ?? TimeProvider.System,
        };
        foreach (var selector in Split(parse.GetValue(_only)))
        {
            options.Only.Add(selector);
        }

        foreach (var selector in Split(parse.GetValue(_skip)))
        {
            options.Skip.Add(selector);
        }

        int total;
        try
        {
            options.RequestTimeout = Seconds(parse.GetValue(_timeout), "--timeout");
            options.RunTimeout = Seconds(parse.GetValue(_runTimeout), "--run-timeout");
            options.MaxRetryWait = Seconds(parse.GetValue(_maxRetryWait), "--max-retry-wait");
            AddHeaders(options.Headers, parse.GetValue(_header), "--header");
            AddHeaders(options.StreamHeaders, parse.GetValue(_streamHeader), "--stream-header");
            ConformanceRunner.Validate(options);
            total = ConformanceRunner.Select(options).Count;
        }
        catch (ArgumentException ex)
        {
            return await UsageAsync(CliApp.UserMessage(ex));
        }

        ConformanceReport report;
        try
        {
            // A wrong target is one line and exit 2, not a failure per check (docs/conformance.md, "Preflight").
            if (await ConformanceRunner.PreflightAsync(options, ct) is { } problem)
            {
                return await UsageAsync(problem);
            }

            if (!parse.GetValue(_quiet))
            {
                options.Progress = new LineProgress(_env.Out, total);
            }

            report = await ConformanceRunner.RunAsync(options, ct);
        }
        catch (ArgumentException ex)
        {
            return await UsageAsync(CliApp.UserMessage(ex));
        }

        // The report is redacted as it is built; this last pass reads each output exactly as it is written, so a
        // formatting step (an escape, a replaced control character) cannot have rebuilt a form of the key.
        var redactor = Http.Redactor.For(options);
        await _env.Out.WriteAsync(redactor.Redact("\n" + ConsoleReport.Summary(report)));
        try
        {
            if (parse.GetValue(_json) is { } json)
            {
                await ReportFile.WriteAsync(json.FullName, redactor.Redact(JsonReport.Serialize(report)), ct);
            }

            if (parse.GetValue(_junit) is { } junit)
            {
                await ReportFile.WriteAsync(junit.FullName, redactor.Redact(JUnitReport.Render(report)), ct);
            }

            if (parse.GetValue(_html) is { } html)
            {
                await ReportFile.WriteAsync(html.FullName, redactor.Redact(HtmlReport.Render(report, redactor)), ct);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return await UsageAsync($"could not write a report: {redactor.Redact(CliApp.UserMessage(ex))}");
        }

        return report.Succeeded ? CliApp.Passed : CliApp.Failed;
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>
    /// Resolves the URL and the key as a pair, so a key is only ever sent to the host it was configured for.
    /// Flags win. Without --base-url: OPENAI_BASE_URL with OPENAI_API_KEY, else ACS_API_BASE with ACS_API_KEY, never mixed.
    /// With --base-url but no --api-key: OPENAI_API_KEY only when OPENAI_BASE_URL is unset or equals the flag, then
    /// ACS_API_KEY likewise. Empty variables count as unset; keys are trimmed.
    /// </summary>
    private (string? BaseUrl, string? ApiKey) ResolveEndpoint(string? flagUrl, string? flagKey)
    {
        var key = NonEmpty(flagKey);
        var openAiUrl = NonEmpty(_env.GetVariable("OPENAI_BASE_URL"));
        var acsUrl = NonEmpty(_env.GetVariable("ACS_API_BASE"));
        if (flagUrl is not null)
        {
            key ??= (openAiUrl is null || SameUrl(openAiUrl, flagUrl) ? NonEmpty(_env.GetVariable("OPENAI_API_KEY")) : null)
                ?? (acsUrl is null || SameUrl(acsUrl, flagUrl) ? NonEmpty(_env.GetVariable("ACS_API_KEY")) : null);
            return (flagUrl, key);
        }

        if (openAiUrl is not null)
        {
            return (openAiUrl, key ?? NonEmpty(_env.GetVariable("OPENAI_API_KEY")));
        }

        return acsUrl is not null ? (acsUrl, key ?? NonEmpty(_env.GetVariable("ACS_API_KEY"))) : (null, key);
    }

    private static bool SameUrl(string a, string b) =>
        string.Equals(a.Trim().TrimEnd('/'), b.Trim().TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the key can go into an Authorization header as is: visible ASCII only (spaces inside allowed).</summary>
    private static bool IsHeaderSafe(string key) => key.All(ch => ch is >= ' ' and <= '~');

    private static IEnumerable<string> Split(string[]? values) =>
        (values ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    /// <summary>Parses each <c>Name: value</c>; the value is never quoted in an error, as it may be a secret.</summary>
    private static void AddHeaders(IList<KeyValuePair<string, string>> into, string[]? values, string option)
    {
        foreach (var text in values ?? [])
        {
            var colon = text.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new ArgumentException($"{option} takes \"Name: value\"; the value given has no name before a colon.");
            }

            into.Add(new(text[..colon].Trim(), text[(colon + 1)..].Trim()));
        }
    }

    /// <summary>The longest value any seconds option takes: one day.</summary>
    private const double MaxSeconds = 86_400;

    private static TimeSpan Seconds(double value, string name)
    {
        if (!(value > 0 && value <= MaxSeconds))
        {
            // Checked before converting: TimeSpan.FromSeconds overflows on values such as 1e300.
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} must be a positive number of seconds up to {MaxSeconds}, not {value}."));
        }

        try
        {
            return TimeSpan.FromSeconds(value);
        }
        catch (OverflowException)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"{name} is out of range: {value}."));
        }
    }

    private async Task<int> UsageAsync(string message)
    {
        // No message is built from the key, but one may quote a value that is the key (a --base-url or --profile given
        // the key by mistake): every line on stderr is redacted with every key the CLI knows.
        await _env.Error.WriteLineAsync("error: " + CliApp.RedactKeys(message, _flagKey, _env));
        return CliApp.UsageError;
    }
}
