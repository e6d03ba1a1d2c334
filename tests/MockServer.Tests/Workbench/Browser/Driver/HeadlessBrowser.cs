using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using TestSupport.Browser;

namespace MockServer.Tests.Workbench.Browser.Driver;

/// <summary>
/// One headless Debian chromium driven over the DevTools protocol by <see cref="CdpConnection"/>: a minimal client of
/// our own rather than PuppeteerSharp. Why: PuppeteerSharp 25.15 is built and tested against one Chrome-for-Testing
/// build and its launcher is written around downloading that build; here the browser is whatever Debian ships (156
/// today, newer tomorrow), and the few calls the tests make (navigate, evaluate, key and mouse events, screenshots)
/// are the protocol's stable core. Two hundred lines we can read beat a dependency whose version must track the
/// browser's, and nothing in this code can fetch a browser.
/// </summary>
internal sealed class HeadlessBrowser : IAsyncDisposable
{
    /// <summary>A guard against a browser that never starts, not a measure: it starts in about a second here.</summary>
    private static readonly TimeSpan StartGuard = TimeSpan.FromMinutes(1);

    private readonly Process _process;
    private readonly string _profile;

    private HeadlessBrowser(Process process, string profile, CdpConnection connection)
    {
        _process = process;
        _profile = profile;
        Connection = connection;
    }

    public CdpConnection Connection { get; }

    /// <summary>Starts chromium (the flags of <see cref="ChromiumProcess"/>) and connects to its DevTools endpoint.</summary>
    public static async Task<HeadlessBrowser> LaunchAsync()
    {
        var profile = Directory.CreateTempSubdirectory("chromium-profile-").FullName;
        Process? process = null;
        try
        {
            // Port 0: the browser picks a free port and says which on stderr ("DevTools listening on ws://..."), as it
            // also writes it to DevToolsActivePort in the profile; reading the line waits for it without polling a file.
            process = ChromiumProcess.Start(profile, "drive the workbench page", ["--remote-debugging-port=0", "--window-size=1280,900", "about:blank"]);
            var errors = new StringBuilder();
            using var guard = new CancellationTokenSource(StartGuard);
            Uri? endpoint = null;
            while (endpoint is null)
            {
                var line = await process.StandardError.ReadLineAsync(guard.Token)
                    ?? throw new InvalidOperationException($"chromium exited before it opened its DevTools endpoint:\n{errors}");
                errors.AppendLine(line);
                const string Listening = "DevTools listening on ";
                var at = line.IndexOf(Listening, StringComparison.Ordinal);
                if (at >= 0)
                {
                    endpoint = new Uri(line[(at + Listening.Length)..].Trim());
                }
            }

            var connection = await CdpConnection.ConnectAsync(endpoint);

            // Read on so a chatty browser (dbus warnings, mostly) never blocks on a full pipe; nothing here needs it.
            _ = process.StandardError.ReadToEndAsync();
            _ = process.StandardOutput.ReadToEndAsync();
            return new HeadlessBrowser(process, profile, connection);
        }
        catch
        {
            if (process is not null)
            {
                await KillAsync(process);
                process.Dispose();
            }

            DeleteProfile(profile);
            throw;
        }
    }

    /// <summary>Opens a tab of <paramref name="width"/> × <paramref name="height"/> CSS pixels, blank.</summary>
    public async Task<BrowserPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var target = await Connection.SendAsync("Target.createTarget", new JsonObject { ["url"] = "about:blank" });
        var attached = await Connection.SendAsync("Target.attachToTarget",
            new JsonObject { ["targetId"] = target.GetProperty("targetId").GetString(), ["flatten"] = true });
        var page = new BrowserPage(Connection, attached.GetProperty("sessionId").GetString()!);
        await page.InitializeAsync(width, height);
        return page;
    }

    public async ValueTask DisposeAsync()
    {
        // Teardown must not stop half way: whatever Browser.close or the socket throw (a dead browser, a reset
        // connection), the process tree is killed and the profile removed.
        try
        {
            await Connection.SendAsync("Browser.close").WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (Exception)
        {
            // Closing drops the connection, sometimes before the answer arrives; the wait below settles it either way.
        }

        try
        {
            await Connection.DisposeAsync();
        }
        catch (Exception)
        {
            // The socket of a browser that is going away may fail to close cleanly; the process is dealt with below.
        }

        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            try
            {
                await _process.WaitForExitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        // Always, even after a clean exit: chromium's helpers (zygote, crash handler) can outlive the main process.
        await KillAsync(_process);
        _process.Dispose();
        DeleteProfile(_profile);
    }

    private static async Task KillAsync(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            // Already gone (or never started): nothing left to kill.
        }
    }

    private static void DeleteProfile(string profile)
    {
        try
        {
            Directory.Delete(profile, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A helper process of chromium's (crash handler) can still hold a file for a moment; a temp folder left
            // behind is harmless, a failed fixture teardown would not be.
        }
    }
}
