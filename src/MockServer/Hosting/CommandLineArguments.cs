using MockServer.Validation;

namespace MockServer.Hosting;

/// <summary>
/// Refuses what the command line would otherwise silently ignore. ASP.NET's command-line configuration takes any
/// <c>--key value</c>, so <c>--api-key K</c> (for <c>--api-keys</c>) would start a server with no authentication at
/// all; a misspelled <c>--fixture DIR</c> would serve only the defaults. Every option must be one of the mock's own
/// flags, a <c>MockServer:</c> key, or an ASP.NET host setting or section the README documents.
/// </summary>
internal static class CommandLineArguments
{
    /// <summary>The mock's own flags, as <c>--help</c> and the README list them.</summary>
    public static readonly string[] Flags = ["urls", "fixtures", "api-keys", "keys-file", "admin", "admin-key", "max-body-bytes", "max-generated-tokens", "token-delay-ms", "write-timeout-ms", "seed", "profile", "behaviour", "strict-fixtures", "journal-capacity", "record-upstream", "record-dir", "record-key-env", "replay", "replay-timing", "replay-pin-ids", "workbench"];

    /// <summary>The same settings as configuration keys (<c>MockServer:Fixtures</c>, or <c>MockServer__Fixtures</c> in the environment).</summary>
    public static readonly string[] MockServerKeys = ["Fixtures", "ApiKeys", "KeysFile", "Admin", "AdminKey", "MaxRequestBodyBytes", "MaxGeneratedTokensPerRequest", "TokenDelayMs", "WriteTimeoutMs", "Seed", "Profile", "Behaviour", "StrictFixtures", "JournalCapacity", "RecordUpstream", "RecordDir", "RecordKeyEnv", "Replay", "ReplayTiming", "ReplayPinIds", "Workbench"];

    // Host settings ASP.NET reads from the command line (WebHostDefaults, HostDefaults), and sections whose keys are
    // open-ended (Logging:LogLevel:Default, Kestrel:Endpoints:Http:Url).
    private static readonly string[] HostKeys =
    [
        "http_ports", "https_ports", "environment", "contentRoot", "applicationName", "webroot", "AllowedHosts",
        "detailedErrors", "shutdownTimeoutSeconds", "suppressStatusMessages", "preventHostingStartup",
        "hostingStartupAssemblies", "hostingStartupExcludeAssemblies",
    ];

    private static readonly string[] Sections = ["Logging", "Kestrel"];

    public const string Usage = """
        Usage: MockServer [options]
          --urls URL                  where to listen (default http://127.0.0.1:8000)
          --fixtures DIR              extra fixture files; a file named like a default replaces it
          --api-keys K1,K2            bearer keys required on /v1 (default: no authentication)
          --keys-file FILE            /v1 keys with names, token budgets and rpm/tpm limits
                                      (schemas/keys.schema.json); combines with --api-keys
          --admin true                serve the admin routes under /admin (key usage, budgets)
          --admin-key KEY             the admin routes' own bearer key, required when /v1 has keys
                                      (or set MockServer__AdminKey in the environment)
          --workbench false           do not serve the browser workbench at /workbench/ (default: served)
          --max-body-bytes N          larger request bodies get 413 (default 4194304)
          --max-generated-tokens N    most work one request may ask for (default 1048576)
          --token-delay-ms N          time between streamed tokens (default 0)
          --write-timeout-ms N        end a stream whose client takes nothing for N ms (default 30000)
          --seed N                    seeds completion ids and unseeded sampling (default 0)
          --profile NAME              serve every model in one dialect: acs, llmbase, openai, vllm
                                      or llamacpp (docs/dialects.md; default: each model's own)
          --behaviour FILE            server-wide timing and a seeded fault schedule
                                      (schemas/behaviour.schema.json; default: none)
          --strict-fixtures true      a request no fixture matches gets 404 fixture_not_found naming
                                      the closest fixtures, instead of a synthetic answer
          --journal-capacity N        requests the journal keeps, newest kept (default 1000; 0 turns it off)
          --record-upstream URL       record mode: proxy /v1 completions, chat and models to this base URL
          --record-dir DIR            ... writing each exchange to a recording file in DIR
          --record-key-env NAME       ... sending the key held in environment variable NAME upstream
          --replay DIR                answer requests that match a recording in DIR with its frames
          --replay-timing T           recorded (default), none, or scale=F (e.g. scale=0.5)
          --replay-pin-ids true       replay ids and created as recorded instead of fresh ones
        Also accepted: --MockServer:KEY VALUE for the same settings, ASP.NET host settings such as
        --environment NAME, and keys under --Logging: and --Kestrel:. Any other option stops the start.
        """;

    public static bool IsHelp(string[] args) => args is ["--help" or "-h" or "-?" or "/?" or "/help"];

    /// <summary>Checks every argument as ASP.NET's command-line provider would read it (<c>--key value</c>,
    /// <c>--key=value</c>, <c>/key value</c>, <c>key=value</c>).</summary>
    /// <exception cref="ArgumentException">An unknown option, a stray word (located by its position, never quoted: it may be a key), or an option without its value; the message says what to type instead.</exception>
    public static void Check(string[] args)
    {
        // The option whose value came just before args[i], if any: a stray word is located by it, never quoted, since
        // after --api-keys it is usually a second key typed with a space instead of a comma.
        string? previous = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            var prefix = arg.StartsWith("--", StringComparison.Ordinal) ? 2 : arg.StartsWith('/') || arg.StartsWith('-') ? 1 : 0;
            var equals = arg.IndexOf('=', StringComparison.Ordinal);

            // After the keys, a bare word is a second key typed with a space, and so is an unknown option nothing
            // resembles (--sk-...): neither is quoted. A known option, a key=value setting, or a misspelled option (one
            // with a did-you-mean) takes the normal path, so `--api-keys K --fixture D` still suggests --fixtures.
            var key = arg[prefix..(equals < 0 ? arg.Length : equals)];
            if (previous is not null && IsKeys(previous[2..])
                && ((prefix == 0 && equals < 0) || (!IsKnown(key) && Suggestion(key) is null)))
            {
                throw new ArgumentException($"unexpected argument at position {i + 1} (after the value of '{previous}'); separate several keys with commas: --api-keys K1,K2 (see --help).");
            }

            if (prefix == 0 && equals < 0)
            {
                var after = previous is null ? string.Empty : $" (after the value of '{previous}')";
                throw new ArgumentException($"unexpected argument at position {i + 1}{after}; options start with --, e.g. --fixtures DIR (see --help).");
            }

            if (prefix == 1 && arg[0] == '-')
            {
                // ASP.NET ignores -key (or throws on -key=value) unless it is a mapped short switch; the mock maps none.
                throw new ArgumentException($"unknown option '{Name(arg, equals)}'{Hint(key)}");
            }

            if (!IsKnown(key))
            {
                throw new ArgumentException($"unknown option '{Name(arg, equals)}'{Hint(key)}");
            }

            if (equals < 0)
            {
                if (i + 1 == args.Length)
                {
                    throw new ArgumentException($"option '{arg}' needs a value, e.g. {arg} VALUE or {arg}=VALUE.");
                }

                i++; // its value, whatever it looks like
            }

            previous = "--" + key;
        }
    }

    /// <summary>Whether a setting takes API keys, whose values must never be echoed.</summary>
    private static bool IsKeys(string key) =>
        key.Equals("api-keys", StringComparison.OrdinalIgnoreCase) || key.Equals("MockServer:ApiKeys", StringComparison.OrdinalIgnoreCase)
        || key.Equals("admin-key", StringComparison.OrdinalIgnoreCase) || key.Equals("MockServer:AdminKey", StringComparison.OrdinalIgnoreCase);

    private static string Name(string arg, int equals) => equals < 0 ? arg : arg[..equals];

    private static bool IsKnown(string key)
    {
        if (Flags.Contains(key, StringComparer.OrdinalIgnoreCase) || HostKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
        {
            return true;
        }

        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        var section = key[..colon];
        return section.Equals("MockServer", StringComparison.OrdinalIgnoreCase)
            ? MockServerKeys.Contains(key[(colon + 1)..], StringComparer.OrdinalIgnoreCase)
            : Sections.Contains(section, StringComparer.OrdinalIgnoreCase) && colon + 1 < key.Length;
    }

    private static string Hint(string key)
    {
        if (Suggestion(key) is { } suggestion)
        {
            return $"; did you mean '{suggestion}'?";
        }

        var colon = key.IndexOf(':', StringComparison.Ordinal);
        return colon >= 0 && key[..colon].Equals("MockServer", StringComparison.OrdinalIgnoreCase)
            ? $"; the MockServer settings are {string.Join(", ", MockServerKeys)}."
            : $"; the mock's options are --{string.Join(", --", Flags)} (see --help).";
    }

    /// <summary>The known option an unknown one resembles (<c>--fixtures</c> for <c>fixture</c>), if any.</summary>
    private static string? Suggestion(string key)
    {
        var colon = key.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0 && key[..colon].Equals("MockServer", StringComparison.OrdinalIgnoreCase))
        {
            return ParameterNames.Suggest(key[(colon + 1)..], MockServerKeys) is { } setting ? "--MockServer:" + setting : null;
        }

        return ParameterNames.Suggest(key, Flags) is { } flag ? "--" + flag : null;
    }
}
