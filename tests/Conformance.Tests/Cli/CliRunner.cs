using Conformance.Cli;

namespace Conformance.Tests.Cli;

/// <summary>Runs the CLI in process with captured output and a fake environment.</summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Out, string Err)> RunAsync(string[] args, Dictionary<string, string>? env = null, TimeProvider? clock = null)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var environment = new CliEnvironment(stdout, stderr, name => env is not null && env.TryGetValue(name, out var v) ? v : null, clock);
        var code = await CliApp.RunAsync(args, environment, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }
}
