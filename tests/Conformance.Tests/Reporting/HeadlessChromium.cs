using TestSupport;
using TestSupport.Browser;

namespace Conformance.Tests.Reporting;

/// <summary>
/// Debian's <c>chromium</c>, headless, as the reader of a report: it parses the page as a browser does and prints the
/// resulting DOM. Started by <see cref="ChromiumProcess"/> (tests/Shared), which fails with how to install it where it
/// is missing.
/// </summary>
internal static class HeadlessChromium
{
    private const string Command = ChromiumProcess.Command;

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
            using var process = ChromiumProcess.Start(profile, "render the HTML report", ["--dump-dom", new Uri(file).AbsoluteUri]);
            var (code, dom, error) = await GuardedProcess.RunAsync(process, HangGuard, $"{Command} rendering {file}");
            if (code != 0 || !dom.Contains("</html>", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"{Command} exited {code} without a DOM for {file}: {error}");
            }

            return dom;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }
}
