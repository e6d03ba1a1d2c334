using System.Diagnostics;

namespace TestSupport;

/// <summary>
/// Waits for a started process with its output and errors read to the end, under a hang guard: a wedged tool ends the
/// test with its error output instead of hanging the run. Compiled into every test project that runs an outside tool
/// (linked from <c>tests/Shared</c>), so the read-wait-kill order is written once.
/// </summary>
internal static class GuardedProcess
{
    /// <summary>
    /// Writes <paramref name="input"/> (if any) to the process's standard input and closes it, then waits for the exit.
    /// </summary>
    /// <exception cref="TimeoutException">The process ran past <paramref name="hangGuard"/>; its tree was killed. The message holds <paramref name="what"/> and its error output.</exception>
    public static async Task<(int Code, string Output, string Error)> RunAsync(Process process, TimeSpan hangGuard, string what, string? input = null)
    {
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (input is not null)
        {
            await process.StandardInput.WriteAsync(input);
            process.StandardInput.Close();
        }

        using var guard = new CancellationTokenSource(hangGuard);
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{what} did not finish within {hangGuard}: {await error}");
        }

        return (process.ExitCode, await output, await error);
    }
}
