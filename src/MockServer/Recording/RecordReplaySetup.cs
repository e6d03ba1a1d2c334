using MockServer.Endpoints;
using MockServer.Hosting;

namespace MockServer.Recording;

/// <summary>Reads, checks and wires record and replay (README, "Record and replay").</summary>
internal static class RecordReplaySetup
{
    /// <summary>The command-line and configuration settings, read into <paramref name="options"/>.</summary>
    /// <param name="get">Reads a setting by its flag and its <c>MockServer:</c> key.</param>
    /// <param name="options">Where the settings go.</param>
    public static void Read(Func<string, string, string?> get, MockServerOptions options)
    {
        if (get("record-upstream", "RecordUpstream") is { } upstream)
        {
            options.RecordUpstream = Uri.TryCreate(upstream, UriKind.Absolute, out var uri)
                ? uri
                : throw new ArgumentException("--record-upstream takes the upstream's absolute base URL, e.g. https://api.example.com/v1.");
        }

        options.RecordDirectory = get("record-dir", "RecordDir") ?? options.RecordDirectory;
        options.RecordKeyEnvironmentVariable = get("record-key-env", "RecordKeyEnv") ?? options.RecordKeyEnvironmentVariable;
        options.ReplayDirectory = get("replay", "Replay") ?? options.ReplayDirectory;
        options.ReplayTiming = get("replay-timing", "ReplayTiming") ?? options.ReplayTiming;
        if (get("replay-pin-ids", "ReplayPinIds") is { } pin)
        {
            options.ReplayPinIds = bool.TryParse(pin, out var on) ? on : throw new ArgumentException("--replay-pin-ids takes true or false.");
        }
    }

    /// <exception cref="ArgumentException">Record mode without its upstream or directory, an upstream URL that carries credentials, or an unknown replay timing.</exception>
    public static void Validate(MockServerOptions options)
    {
        if ((options.RecordUpstream is null) != (options.RecordDirectory is null))
        {
            throw new ArgumentException("record mode needs both the upstream and the directory: --record-upstream URL --record-dir DIR.");
        }

        if (options.RecordKeyEnvironmentVariable is not null && options.RecordUpstream is null)
        {
            throw new ArgumentException("--record-key-env names the upstream's key, which only record mode uses; add --record-upstream URL --record-dir DIR.");
        }

        if (options.RecordUpstream is { } upstream)
        {
            if (!upstream.IsAbsoluteUri || (upstream.Scheme != Uri.UriSchemeHttp && upstream.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException("--record-upstream takes an http or https base URL, e.g. https://api.example.com/v1.");
            }

            // A key in the URL would be written into every recording (and shown in logs); it belongs in the environment.
            if (upstream.UserInfo.Length > 0 || upstream.Query.Length > 0 || upstream.Fragment.Length > 0)
            {
                throw new ArgumentException("--record-upstream must be a plain base URL, without user info, query or fragment; give the key through --record-key-env NAME.");
            }
        }

        try
        {
            ReplayTiming.Parse(options.ReplayTiming ?? "");
        }
        catch (FormatException ex)
        {
            throw new ArgumentException($"--replay-timing: {ex.Message}");
        }
    }

    /// <summary>Loads the recordings to replay and reads the upstream key; registers what the middleware uses.</summary>
    /// <exception cref="Fixtures.FixtureLoadException">A recording file is invalid (file, JSON path, line).</exception>
    /// <exception cref="ArgumentException">The key's environment variable is unset, empty or unusable (its value is never shown).</exception>
    public static async Task AddAsync(IServiceCollection services, MockServerOptions options)
    {
        if (options.ReplayDirectory is { } replay)
        {
            var recordings = await RecordingLoader.LoadAsync(replay).ConfigureAwait(false);
            services.AddSingleton(sp => new Replayer(recordings, sp.GetRequiredService<RequestIds>(), options));
        }

        if (options.RecordUpstream is { } upstream)
        {
            var key = UpstreamKey(options.RecordKeyEnvironmentVariable);
            try
            {
                Directory.CreateDirectory(options.RecordDirectory!); // a directory that cannot be made stops the start, not the first request
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                throw new ArgumentException($"--record-dir '{options.RecordDirectory}' cannot be created: {ex.Message}", ex);
            }

            var writer = new RecordingWriter(options.RecordDirectory!);
            services.AddSingleton(sp => new RecordingProxy(upstream, key, writer, options, sp.GetRequiredService<ILogger<RecordingProxy>>()));
        }
    }

    /// <summary>Puts the middleware in the pipeline when record or replay is on; else nothing changes.</summary>
    public static void UseRecordReplay(WebApplication app)
    {
        var options = app.Services.GetRequiredService<MockServerOptions>();
        if (options.RecordUpstream is not null || options.ReplayDirectory is not null)
        {
            app.UseMiddleware<RecordReplayMiddleware>();
        }
    }

    private static string? UpstreamKey(string? variable)
    {
        if (variable is null)
        {
            return null;
        }

        var key = Environment.GetEnvironmentVariable(variable);
        if (string.IsNullOrEmpty(key))
        {
            throw new ArgumentException($"the environment variable '{variable}' named by --record-key-env is not set or empty.");
        }

        if (key.Length < SecretScrubber.MinimumKeyLength || key.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)))
        {
            // Nothing of the value is shown: not its length, not a character.
            throw new ArgumentException($"the key in '{variable}' is unusable: it must be at least {SecretScrubber.MinimumKeyLength} characters, without spaces or control characters.");
        }

        return key;
    }
}
