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
        var parse = new ConformanceRootCommand(env).Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors)
            {
                await env.Error.WriteLineAsync(error.Message);
            }

            await env.Error.WriteLineAsync("Run with --help for usage.");
            return UsageError;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { Output = env.Out, Error = env.Error }, cancellationToken);
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
