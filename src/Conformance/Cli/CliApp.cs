using System.CommandLine;

namespace Conformance.Cli;

/// <summary>What the CLI reads from its surroundings; tests pass their own writers and variables.</summary>
/// <param name="Out">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="GetVariable">Reads an environment variable.</param>
/// <param name="Clock">The clock of the run's waits and timeouts; null for the system clock (tests pass a fake one).</param>
internal sealed record CliEnvironment(TextWriter Out, TextWriter Error, Func<string, string?> GetVariable, TimeProvider? Clock = null)
{
    public static CliEnvironment Process => new(Console.Out, Console.Error, Environment.GetEnvironmentVariable);
}

/// <summary>
/// The command line, on System.CommandLine 2.0 GA (STYLE.md §2.17). Exit codes: 0 every check passed, 1 a check failed
/// (or a diff found a regression), 2 a usage or configuration error.
/// </summary>
internal static class CliApp
{
    public const int Passed = 0;
    public const int Failed = 1;
    public const int UsageError = 2;

    public static async Task<int> RunAsync(string[] args, CliEnvironment env, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(env);
        var root = new ConformanceRootCommand(env);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            // System.CommandLine quotes the tokens it could not place, and a key pasted in the wrong place is one, known
            // or not: those are located by position, never quoted; every line is still redacted with the keys known.
            foreach (var message in UnmatchedArguments.Messages(parse, args))
            {
                await env.Error.WriteLineAsync(RedactKeys(message, root.RawApiKey(parse), env));
            }

            await env.Error.WriteLineAsync("Run with --help for usage.");
            return UsageError;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error }, cancellationToken);
    }

    /// <summary>
    /// Masks every key the CLI may know in a line it prints on stderr: the raw <c>--api-key</c> value and the keys in
    /// OPENAI_API_KEY and ACS_API_KEY (whether or not they are the one in use), by the redaction rule of the reports
    /// (docs/conformance.md, "Redaction"). No message is meant to carry a key; this makes sure none does.
    /// </summary>
    public static string RedactKeys(string text, string? flagKey, CliEnvironment env)
    {
        ArgumentNullException.ThrowIfNull(env);
        foreach (var key in (string?[])[flagKey, env.GetVariable("OPENAI_API_KEY"), env.GetVariable("ACS_API_KEY")])
        {
            if (!string.IsNullOrWhiteSpace(key))
            {
                text = new Http.Redactor(key).Redact(text);
            }
        }

        return text;
    }

    /// <summary>
    /// An exception's message as a user should read it: .NET appends <c> (Parameter 'name')</c> to an
    /// <see cref="ArgumentException"/>'s message, a name from our code that means nothing on the command line.
    /// Every message the CLI prints from an exception goes through here.
    /// </summary>
    public static string UserMessage(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var message = ex.Message;
        if (ex is ArgumentException { ParamName: { Length: > 0 } name })
        {
            // Built the way .NET builds it, so the suffix is removed in whatever language the runtime speaks.
            var suffix = new ArgumentException(string.Empty, name).Message;
            if (suffix.Length > 0 && message.EndsWith(suffix, StringComparison.Ordinal))
            {
                message = message[..^suffix.Length];
            }
        }

        return message;
    }
}
