using MockServer.Budgets;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;
using MockServer.Tests.Workbench.Browser.Driver;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// One headless chromium and one tab, shared by every workbench browser test (an xunit collection: its classes run one
/// after another on the same page, so the browser starts once), and three in-process mocks on 127.0.0.1 port 0 that
/// serve the workbench: <see cref="Open"/> (admin on, no keys, on a fake clock the streaming tests drive),
/// <see cref="Keyed"/> (named keys with budgets, an admin key) and <see cref="NoAdmin"/> (admin routes off).
/// </summary>
public sealed class WorkbenchSession : IAsyncLifetime
{
    /// <summary>The /v1 keys and the admin key of <see cref="Keyed"/>: no test may find one of them in the page.</summary>
    public const string TeamKey = "sk-wb-team-7f3a9c1e5b2d";
    public const string NightlyKey = "sk-wb-nightly-2d8e4b6a0c9f";
    public const string AdminKey = "wb-admin-4c1f9e7d3b6a";

    private HeadlessBrowser? _browser;

    /// <summary>The fake clock of <see cref="Open"/>: a paced stream moves only when a test advances it.</summary>
    internal WatchedTimeProvider Clock { get; } = new();

    public MockLlmServer Open { get; private set; } = null!;

    public MockLlmServer Keyed { get; private set; } = null!;

    public MockLlmServer NoAdmin { get; private set; } = null!;

    internal BrowserPage Page { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var browser = HeadlessBrowser.LaunchAsync();
        var open = MockLlmServer.StartAsync(new MockServerOptions { EnableWorkbench = true, EnableAdmin = true, TimeProvider = Clock });
        var keyedOptions = new MockServerOptions { EnableWorkbench = true, EnableAdmin = true, AdminKey = AdminKey, TimeProvider = new WatchedTimeProvider() };
        keyedOptions.Keys.Add(new ApiKeyEntry(TeamKey) { Name = "ci-team", Limits = new KeyLimits(TokenBudget: 5_000, RequestsPerMinute: 60) });
        keyedOptions.Keys.Add(new ApiKeyEntry(NightlyKey) { Name = "nightly", Limits = new KeyLimits(TokenBudget: 20_000) });
        var keyed = MockLlmServer.StartAsync(keyedOptions);
        var noAdmin = MockLlmServer.StartAsync(new MockServerOptions { EnableWorkbench = true, TimeProvider = new WatchedTimeProvider() });
        try
        {
            Open = await open;
            Keyed = await keyed;
            NoAdmin = await noAdmin;
            _browser = await browser;
            Page = await _browser.NewPageAsync();
        }
        catch
        {
            // xunit does not call DisposeAsync after a failed InitializeAsync: without this, chromium (and its temp
            // profile) and the servers that did start would outlive the test run. Wait for every start so none is
            // left running unobserved, then dispose what started.
            await Task.WhenAll(SettleAsync(browser), SettleAsync(open), SettleAsync(keyed), SettleAsync(noAdmin));
            _browser ??= browser.IsCompletedSuccessfully ? browser.Result : null;
            Open ??= open.IsCompletedSuccessfully ? open.Result : null!;
            Keyed ??= keyed.IsCompletedSuccessfully ? keyed.Result : null!;
            NoAdmin ??= noAdmin.IsCompletedSuccessfully ? noAdmin.Result : null!;
            await DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        try
        {
            if (_browser is not null)
            {
                await _browser.DisposeAsync();
            }
        }
        finally
        {
            foreach (var server in new[] { Open, Keyed, NoAdmin })
            {
                if (server is not null)
                {
                    await server.DisposeAsync();
                }
            }
        }
    }

    private static async Task SettleAsync(Task task)
    {
        try
        {
            await task;
        }
        catch
        {
            // The failure that matters is rethrown by InitializeAsync; this only waits for the start to finish.
        }
    }

    /// <summary>
    /// Resets <paramref name="server"/> (journal, usage, ids: each test sees a fresh server), loads its workbench in the
    /// shared tab and waits until the page has listed the models (with <paramref name="v1Key"/> typed in first when the
    /// server has keys: the models list needs one).
    /// </summary>
    internal async Task<WorkbenchPage> OpenAsync(MockLlmServer server, string? v1Key = null)
    {
        await server.ResetAsync();

        // Leftovers of the previous test are not this page's; what happens from here on (a start-up script error, a CSP
        // violation of the page's own files) is, and must fail the test.
        Page.TakeProblems();
        await Page.NavigateAsync(new Uri(server.BaseUrl, "/workbench/"));
        var page = new WorkbenchPage(Page, server);
        var served = await Page.EvaluateAsync<bool>("document.getElementById('send') !== null && document.getElementById('model') !== null");
        served.Should().BeTrue($"/workbench/ must serve the workbench page when EnableWorkbench is set; it showed: {await page.BodyTextAsync()}");
        if (v1Key is not null)
        {
            await page.SetAsync("v1-key", v1Key);
        }

        // The placeholder option ("type the API key…", "no model serves…") is disabled: wait for a real model.
        await Page.WaitForAsync("document.querySelector('#model option:not([disabled])') !== null", "the model list to load from /v1/models");
        Page.TakeProblems().Should().BeEmpty("the workbench must load without script errors or CSP violations");
        return page;
    }

    /// <summary>
    /// Saves the part of the page <paramref name="selectors"/> cover as <c>workbench-<paramref name="name"/>.png</c> in the
    /// test output, always, and over <c>docs/img/</c> when <c>UPDATE_DOCS=1</c> (the docs tests' convention), for
    /// docs/workbench.md.
    /// </summary>
    internal async Task ScreenshotAsync(string name, params string[] selectors)
    {
        var png = await Page.ScreenshotAsync(selectors);
        var file = $"workbench-{name}.png";
        var output = Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "screenshots")).FullName;
        await File.WriteAllBytesAsync(Path.Combine(output, file), png);
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            await File.WriteAllBytesAsync(Path.Combine(RepositoryRoot(), "docs", "img", file), png);
        }
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>The workbench browser tests share one browser: one collection, run in sequence.</summary>
[CollectionDefinition(Name)]
public sealed class WorkbenchBrowserDefinition : ICollectionFixture<WorkbenchSession>
{
    public const string Name = "Workbench browser";
}
