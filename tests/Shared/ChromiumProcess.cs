using System.ComponentModel;
using System.Diagnostics;
using System.Text;

namespace TestSupport.Browser;

/// <summary>
/// Starts Debian's <c>chromium</c> (<c>/usr/bin/chromium</c>, installed by <c>.ci/run</c>) headless and kept on this
/// machine. Compiled into every test project that drives a browser (linked from <c>tests/Shared</c>), so the flags and
/// the "how to install it" failure are written once. Where chromium is missing a test fails and says so, never skips:
/// a green run always means a browser has read the page.
/// </summary>
internal static class ChromiumProcess
{
    /// <summary>The command; Debian's package installs it as <c>/usr/bin/chromium</c>. Nothing here downloads a browser.</summary>
    public const string Command = "chromium";

    /// <summary>
    /// Starts chromium with the isolation flags, then <paramref name="arguments"/>, output and errors redirected.
    /// </summary>
    /// <param name="profile">An empty folder for the profile (<c>--user-data-dir</c>); the caller deletes it.</param>
    /// <param name="purpose">What the browser is for, said in the failure when it cannot start.</param>
    /// <param name="arguments">The caller's own switches and URL.</param>
    public static Process Start(string profile, string purpose, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(Command)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };

        // --no-sandbox: CI runs as root in a container, where chromium's sandbox cannot start. The network switches keep
        // the browser on this machine: no DNS (every host but the loopback address maps to "not found"), no background or
        // component traffic, no first-run or sync requests.
        foreach (var arg in (string[])["--headless", "--disable-gpu", "--no-sandbox", "--no-first-run", "--user-data-dir=" + profile,
                     "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps", "--disable-extensions",
                     "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var arg in arguments)
        {
            start.ArgumentList.Add(arg);
        }

        try
        {
            return Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException(
                $"'{Command}' is needed to {purpose} and could not be started ({ex.Message}). Install Debian's chromium package " +
                "(apt-get install -y chromium); .ci/run installs it. This test does not skip: a skipped browser test would read as a checked page.", ex);
        }
    }
}
