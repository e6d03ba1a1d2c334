using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace Conformance.Tests.Reporting;

/// <summary>
/// Debian's <c>chromium</c>, headless, as the reader of a report: it parses the page as a browser does and prints the
/// resulting DOM. CI installs it (<c>.ci/run</c>); where it is missing the test fails and says so, never skips, so a
/// green run always means a browser has read the page.
/// </summary>
internal static class HeadlessChromium
{
    /// <summary>The command; Debian's package installs it as <c>/usr/bin/chromium</c>.</summary>
    public const string Command = "chromium";

    /// <summary>
    /// A guard against a wedged browser, not a measure: a test must end with chromium's error output rather than hang
    /// the run. A dump takes about 3 s here.
    /// </summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    /// <summary>Loads <paramref name="file"/> and returns the DOM after parsing (and after any script, though reports have none).</summary>
    public static async Task<string> DumpDomAsync(string file)
    {
        var profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        try
        {
            var start = new ProcessStartInfo(Command)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                StandardOutputEncoding = Encoding.UTF8,
                UseShellExecute = false,
            };

            // --no-sandbox: CI runs as root in a container, where chromium's sandbox cannot start. The network switches keep
            // the browser on this machine: no DNS (every host maps to "not found"), no background or component traffic.
            foreach (var arg in (string[])["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--user-data-dir=" + profile,
                         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                         "--host-resolver-rules=MAP * ~NOTFOUND", "--dump-dom", new Uri(file).AbsoluteUri])
            {
                start.ArgumentList.Add(arg);
            }

            Process process;
            try
            {
                process = Process.Start(start)!;
            }
            catch (Win32Exception ex)
            {
                throw new InvalidOperationException(
                    $"'{Command}' is needed to render the HTML report and could not be started ({ex.Message}). Install Debian's chromium package " +
                    "(apt-get install -y chromium); .ci/run installs it. This test does not skip: a skipped render would read as a checked report.", ex);
            }

            using (process)
            {
                var output = process.StandardOutput.ReadToEndAsync();
                var error = process.StandardError.ReadToEndAsync();
                using var guard = new CancellationTokenSource(HangGuard);
                try
                {
                    await process.WaitForExitAsync(guard.Token);
                }
                catch (OperationCanceledException)
                {
                    process.Kill(entireProcessTree: true);
                    throw new InvalidOperationException($"{Command} did not finish rendering {file}: {await error}");
                }

                var dom = await output;
                if (process.ExitCode != 0 || !dom.Contains("</html>", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"{Command} exited {process.ExitCode} without a DOM for {file}: {await error}");
                }

                return dom;
            }
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
