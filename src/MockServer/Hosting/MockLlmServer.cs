using System.Globalization;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using MockServer.Budgets;
using MockServer.Catalog;
using MockServer.Fixtures;

namespace MockServer.Hosting;

/// <summary>
/// The mock server, as a process (<see cref="RunAsync"/>) or inside a test (<see cref="StartAsync"/>: a free
/// loopback port, stopped on dispose). Both paths build the same application.
/// </summary>
public sealed partial class MockLlmServer : IAsyncDisposable
{
    /// <summary>Where <c>dotnet run</c> listens when neither <c>--urls</c> nor ASP.NET configuration says otherwise.</summary>
    public const string DefaultUrl = "http://127.0.0.1:8000";

    private readonly WebApplication _app;

    private MockLlmServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The requests this server has answered, newest kept (<see cref="MockServerOptions.JournalCapacity"/>): what a test's client sent.</summary>
    public Journal.RequestJournal Journal => _app.Services.GetRequiredService<Journal.RequestJournal>();

    /// <summary>
    /// Fixtures added and removed while the server runs, globally or for one <c>X-Mock-Session</c> (the same as the
    /// <c>/admin/fixtures</c> routes, without needing them enabled). The fixture files are not changed.
    /// </summary>
    public RuntimeFixtures Fixtures => _app.Services.GetRequiredService<RuntimeFixtures>();

    /// <summary>The application's services, for tests that reach inside (the engine's test hook, the log factory).</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>The OpenAI base URL, e.g. <c>http://127.0.0.1:54321/v1</c>: give it to any OpenAI client as its base URL.</summary>
    public Uri BaseUrl { get; }

    /// <summary>
    /// Every <c>/v1</c> key's usage and limits: read them, reset a key, or change its budget and per-minute limits while
    /// the server runs (the same as the <c>/admin/keys</c> routes). Empty when no key is configured.
    /// </summary>
    public KeyAccounts Keys => _app.Services.GetRequiredService<KeyAccounts>();

    /// <summary>Starts a server on <c>127.0.0.1</c> and a free port.</summary>
    /// <param name="options">Fixtures, keys and limits; defaults serve the embedded fixtures without authentication.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <exception cref="FixtureLoadException">A fixture is invalid; the message names the file and JSON path.</exception>
    /// <exception cref="KeysFileException">The keys file is invalid; the message names the file, JSON path and line.</exception>
    public static async Task<MockLlmServer> StartAsync(MockServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MockServerOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // tests own their output
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = await BuildAsync(builder, options).ConfigureAwait(false);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new MockLlmServer(app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    /// <summary>Runs the server until Ctrl+C. Returns 2 when configuration or a fixture is invalid.</summary>
    /// <param name="args">Command line: <c>--fixtures DIR</c>, <c>--api-keys K1,K2</c>, <c>--keys-file FILE</c>, <c>--admin true</c>, <c>--admin-key KEY</c>, <c>--workbench false</c>, <c>--max-body-bytes N</c>, <c>--max-generated-tokens N</c>, <c>--token-delay-ms N</c>, <c>--write-timeout-ms N</c>, <c>--seed N</c>, <c>--profile NAME</c>, <c>--behaviour FILE</c>, <c>--strict-fixtures true</c>, <c>--journal-capacity N</c>, <c>--record-upstream URL</c>, <c>--record-dir DIR</c>, <c>--record-key-env NAME</c>, <c>--replay DIR</c>, <c>--replay-timing T</c>, <c>--replay-pin-ids true</c>, <c>--urls URL</c>, <c>--help</c>, plus the ASP.NET settings <see cref="CommandLineArguments"/> accepts; anything else stops the start.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        if (CommandLineArguments.IsHelp(args))
        {
            await Console.Out.WriteLineAsync(CommandLineArguments.Usage).ConfigureAwait(false);
            return 0;
        }

        try
        {
            CommandLineArguments.Check(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync($"MockServer cannot start: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var builder = WebApplication.CreateSlimBuilder(args);
        // Per-request framework logs would drown the start-up lines and cost throughput; warnings still show.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // The hosting diagnostics category logs only per-request Information lines, which that filter hides; but while
        // it is enabled at any level, ASP.NET Core starts an Activity for every request (bench/README.md). So it is off,
        // unless the configuration names it (then the configuration decides, as it did before this rule).
        const string HostingDiagnostics = "Microsoft.AspNetCore.Hosting.Diagnostics";
        if (builder.Configuration[$"Logging:LogLevel:{HostingDiagnostics}"] is null)
        {
            builder.Logging.AddFilter(HostingDiagnostics, LogLevel.None);
        }

        // A failed bind is reported below in one line; the host's own stack trace would only repeat it.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        WebApplication app;
        try
        {
            var options = OptionsFrom(builder.Configuration);
            if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]) && string.IsNullOrEmpty(builder.Configuration["http_ports"]))
            {
                builder.WebHost.UseUrls(DefaultUrl);
            }

            app = await BuildAsync(builder, options).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is FixtureLoadException or KeysFileException or BehaviourLoadException or FormatException or ArgumentException or OverflowException)
        {
            await Console.Error.WriteLineAsync($"MockServer cannot start: {OneLine(ex)}").ConfigureAwait(false);
            return 2;
        }

        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var catalog = app.Services.GetRequiredService<ModelCatalog>();
            var logger = app.Services.GetRequiredService<ILogger<MockLlmServer>>();
            if (!logger.IsEnabled(LogLevel.Information))
            {
                return;
            }

            var models = string.Join(", ", catalog.Models.Select(m => $"{m.Id} ({m.Root})"));
            var workbench = app.Services.GetRequiredService<MockServerOptions>().EnableWorkbench;
            foreach (var address in app.Urls)
            {
                var root = address.TrimEnd('/');
                if (workbench)
                {
                    LogServingWorkbench(logger, root + "/v1", models, root + Workbench.WorkbenchRoutes.Prefix + "/");
                }
                else
                {
                    LogServing(logger, root + "/v1", models);
                }
            }
        });
        try
        {
            await app.StartAsync().ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            // Everything that fails while starting (a taken port, a malformed --urls) is a configuration problem:
            // one line and exit code 2, not a stack trace.
            var hint = ex.InnerException is Microsoft.AspNetCore.Connections.AddressInUseException
                ? " Pass --urls http://127.0.0.1:PORT to use another port."
                : "";
            await Console.Error.WriteLineAsync($"MockServer cannot start: {ex.Message}{hint}").ConfigureAwait(false);
            await app.DisposeAsync().ConfigureAwait(false);
            return 2;
        }

        await app.WaitForShutdownAsync().ConfigureAwait(false);
        await app.DisposeAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>
    /// Evicts a model, as <c>POST /admin/models/{id}/evict</c> does (without needing the admin routes enabled): each of
    /// its streams in flight ends after its current frame with an error event and <c>[DONE]</c>, and a cold model is
    /// cold again, so its next request gets 503 with <c>Retry-After</c>.
    /// </summary>
    /// <param name="modelId">A served model's id.</param>
    /// <exception cref="ArgumentException">No model with that id is served.</exception>
    public ModelEvictionResult Evict(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return Admin.ModelAdminRoutes.EvictModel(_app.Services, modelId)
            ?? throw new ArgumentException($"No model '{modelId}' is served.", nameof(modelId));
    }

    /// <summary>Stops the server and releases its port.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    internal static async Task<WebApplication> BuildAsync(WebApplicationBuilder builder, MockServerOptions options)
    {
        options.Validate();
        var fixtures = await FixtureLoader.LoadAsync(options.IncludeDefaultFixtures, options.FixturesDirectory, options.Fixtures).ConfigureAwait(false);
        var fileKeys = options.KeysFile is null ? [] : await KeysFileLoader.LoadAsync(options.KeysFile).ConfigureAwait(false);
        builder.Services.AddSingleton(KeyAccounts.Build(fileKeys.Concat(options.Keys), options.ApiKeys, options.AdminKey));
        var behaviour = await BehaviourLoader.LoadAsync(options, [.. fixtures.Models.Select(m => m.Id)]).ConfigureAwait(false);
        if (behaviour.Timing is { } timing)
        {
            options.Timing = timing.Over(options.Timing); // the file names the server's timing; what it leaves out stays
        }

        builder.Services.AddSingleton(behaviour.Schedule);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // The body limit is enforced by the endpoint so the answer is a JSON 413, not Kestrel's bare one.
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.AddServerHeader = false;
        });
        await Recording.RecordReplaySetup.AddAsync(builder.Services, options).ConfigureAwait(false);
        builder.Services.AddMockLlmServer(options, fixtures);
        var app = builder.Build();
        app.MapOpenAiEndpoints();
        return app;
    }

    internal static MockServerOptions OptionsFrom(IConfiguration configuration)
    {
        string? Get(string flag, string key) => configuration[flag] ?? configuration[$"MockServer:{key}"];
        var options = new MockServerOptions { FixturesDirectory = Get("fixtures", "Fixtures") };
        if (Get("api-keys", "ApiKeys") is { } keys)
        {
            foreach (var key in keys.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                options.ApiKeys.Add(key);
            }

            // Asking for authentication and giving no key must not silently turn authentication off.
            if (options.ApiKeys.Count == 0)
            {
                throw new ArgumentException("--api-keys was given but holds no key; pass K1,K2 or leave it out to disable authentication.");
            }
        }

        options.KeysFile = Get("keys-file", "KeysFile");
        if (Get("admin", "Admin") is { } admin)
        {
            options.EnableAdmin = bool.TryParse(admin, out var on)
                ? on
                : throw new ArgumentException("--admin takes true or false, e.g. --admin true.");
        }

        // The process serves the workbench unless told not to; in process (StartAsync) it stays off unless set (issue 11).
        options.EnableWorkbench = Get("workbench", "Workbench") is not { } workbench
            || (bool.TryParse(workbench, out var serve)
                ? serve
                : throw new ArgumentException("--workbench takes true or false, e.g. --workbench false."));

        // Also MockServer__AdminKey in the environment, so the key need not be on a command line others can read.
        options.AdminKey = Get("admin-key", "AdminKey");
        if (Get("max-body-bytes", "MaxRequestBodyBytes") is { } max)
        {
            options.MaxRequestBodyBytes = long.Parse(max, CultureInfo.InvariantCulture);
        }

        if (Get("max-generated-tokens", "MaxGeneratedTokensPerRequest") is { } budget)
        {
            options.MaxGeneratedTokensPerRequest = long.Parse(budget, CultureInfo.InvariantCulture);
        }

        if (Get("token-delay-ms", "TokenDelayMs") is { } delay)
        {
            options.TokenDelay = TimeSpan.FromMilliseconds(int.Parse(delay, CultureInfo.InvariantCulture));
        }

        if (Get("write-timeout-ms", "WriteTimeoutMs") is { } writeTimeout)
        {
            options.WriteTimeout = TimeSpan.FromMilliseconds(int.Parse(writeTimeout, CultureInfo.InvariantCulture));
        }

        if (Get("strict-fixtures", "StrictFixtures") is { } strict)
        {
            options.StrictFixtures = bool.TryParse(strict, out var on)
                ? on
                : throw new ArgumentException("--strict-fixtures takes true or false, e.g. --strict-fixtures true.");
        }

        if (Get("journal-capacity", "JournalCapacity") is { } capacity)
        {
            // Checked here, not by int.Parse: its message names neither the flag nor the range.
            options.JournalCapacity = int.TryParse(capacity, NumberStyles.None, CultureInfo.InvariantCulture, out var entries)
                ? entries
                : throw new ArgumentException("--journal-capacity takes a whole number of requests from 0 to 1000000, e.g. --journal-capacity 5000 (0 turns the journal off).");
        }

        Recording.RecordReplaySetup.Read(Get, options);
        options.Profile = Get("profile", "Profile");
        options.BehaviourFile = Get("behaviour", "Behaviour");
        if (Get("seed", "Seed") is { } seed)
        {
            options.Seed = ulong.Parse(seed, CultureInfo.InvariantCulture);
        }

        return options;
    }

    /// <summary>
    /// The promise is one line: an out-of-range option's exception message spans two ("... (Parameter 'TokenDelay')",
    /// "Actual value was ..."), so it is told with the flag the user typed.
    /// </summary>
    private static string OneLine(Exception ex)
    {
        if (ex is ArgumentOutOfRangeException { ParamName: { } name } range)
        {
            var flag = name switch
            {
                nameof(MockServerOptions.MaxRequestBodyBytes) => "--max-body-bytes",
                nameof(MockServerOptions.MaxGeneratedTokensPerRequest) => "--max-generated-tokens",
                nameof(MockServerOptions.TokenDelay) => "--token-delay-ms",
                nameof(MockServerOptions.WriteTimeout) => "--write-timeout-ms",
                nameof(MockServerOptions.JournalCapacity) => "--journal-capacity",
                _ => name,
            };
            var reason = range.Message.Split(" (Parameter", 2)[0];
            return $"{flag} {reason}.";
        }

        return ex.Message.ReplaceLineEndings(" ");
    }

    [LoggerMessage(EventId = LogEvents.Started, Level = LogLevel.Information, Message = "MockServer listening: base URL {BaseUrl}, models {Models}")]
    private static partial void LogServing(ILogger logger, string baseUrl, string models);

    // The same line with the page's link, so the first thing a developer sees is where to try the mock in a browser.
    [LoggerMessage(EventId = LogEvents.Started, Level = LogLevel.Information, Message = "MockServer listening: base URL {BaseUrl}, models {Models}, workbench {WorkbenchUrl}")]
    private static partial void LogServingWorkbench(ILogger logger, string baseUrl, string models, string workbenchUrl);
}
