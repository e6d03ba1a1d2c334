using System.Net.Http.Headers;
using System.Text.Json;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// The keys panel (issue 11): the configured keys by name with their usage and budgets, read and changed through the
/// admin routes with the admin key the user types; no key ever appears in the page, its snippets or its storage. With
/// the admin routes off the panel says how to turn them on.
/// </summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed class WorkbenchKeysTests(WorkbenchSession session)
{
    private const string Row = "[...document.querySelectorAll('#keys tbody tr')].find(r => r.textContent.includes('ci-team'))";

    [Fact]
    public async Task The_keys_panel_lists_keys_by_name_changes_a_budget_and_resets_usage_without_showing_a_key()
    {
        var page = await session.OpenAsync(session.Keyed, WorkbenchSession.TeamKey);
        await page.SetAsync("admin-key", WorkbenchSession.AdminKey);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string> { ["max_tokens"] = "4", ["seed"] = "5" }, "Count with me:");
        await page.SendAsync();
        var usage = JsonDocument.Parse(await page.TextAsync("#usage")).RootElement;

        await RefreshKeysAsync(page);
        // The panel may have listed the keys before the request was charged; the refresh shows the request.
        await page.Browser.WaitForAsync($"document.querySelectorAll('#keys tbody tr').length === 2 && {Row}.cells[2].textContent.trim() === '1'",
            "the two keys to be listed, ci-team with its one request");
        var names = await page.Browser.EvaluateAsync<string[]>("[...document.querySelectorAll('#keys tbody tr')].map(r => r.cells[0].textContent.trim())");
        names.Should().Equal("ci-team", "nightly");
        var cells = await Cells(page);
        Digits(cells[3]).Should().Be(usage.GetProperty("total_tokens").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture), "its tokens are the request's usage");
        Digits(cells[4]).Should().Be("5000", "its budget as configured");

        // A new budget, saved from the row: the admin API has it at once.
        await page.SetAsync($"{Row}.querySelector('input')", "1234", "ci-team's budget input");
        await page.Browser.EvaluateAsync($"{Row}.querySelector('button.key-save').click()");
        await page.Browser.WaitForAsync($"{Row}.cells[4].textContent.replace(/\\D/g, '') === '1234'", "the row to show the new budget");
        (await AdminKeyAsync("ci-team")).GetProperty("token_budget").GetInt64().Should().Be(1234, "GET /admin/keys reflects the change");

        // Reset: usage back to zero, here and on the server.
        await page.Browser.EvaluateAsync($"{Row}.querySelector('button.key-reset').click()");
        await page.Browser.WaitForAsync($"{Row}.cells[2].textContent.trim() === '0'", "the row to show no requests after the reset");
        (await AdminKeyAsync("ci-team")).GetProperty("requests").GetInt64().Should().Be(0);

        // No key, /v1 or admin, anywhere the page could show or keep it.
        var everything = await page.Browser.EvaluateAsync<string>("""
            document.documentElement.outerHTML + '\n' + ['snippet-curl', 'snippet-python', 'snippet-dotnet'].map(id => document.getElementById(id).textContent).join('\n')
              + '\n' + JSON.stringify(Object.entries(localStorage)) + JSON.stringify(Object.entries(sessionStorage)) + document.cookie
            """);
        foreach (var key in (string[])[WorkbenchSession.TeamKey, WorkbenchSession.NightlyKey, WorkbenchSession.AdminKey])
        {
            everything.Should().NotContain(key);
        }

        (await page.TextAsync("#snippet-curl")).Should().Contain("$OPENAI_API_KEY", "a snippet reads the key from the environment");
        (await page.TextAsync("#snippet-python")).Should().Contain("os.environ[\"OPENAI_API_KEY\"]");
        (await page.TextAsync("#snippet-dotnet")).Should().Contain("Environment.GetEnvironmentVariable(\"OPENAI_API_KEY\")");
        (await page.Browser.EvaluateAsync<string[]>("['v1-key', 'admin-key'].map(id => document.getElementById(id).type)")).Should().Equal("password", "password");
        await session.ScreenshotAsync("keys", "#keys-panel");
        page.ShouldHaveNoProblems();
    }

    [Fact]
    public async Task With_the_admin_routes_off_the_panels_say_how_to_turn_them_on()
    {
        var page = await session.OpenAsync(session.NoAdmin);

        await RefreshKeysAsync(page);

        await page.Browser.WaitForAsync("document.querySelector('#keys-message').textContent.includes('--admin true')", "#keys-message to say the admin routes are off");
        (await page.TextAsync("#keys-message")).Should().ContainEquivalentOf("admin routes are off");
        (await page.CountAsync("#keys tbody tr")).Should().Be(0);
        (await page.Browser.EvaluateAsync<bool>("(() => { const e = document.querySelector('#error'); return e.hidden || e.textContent.trim() === ''; })()"))
            .Should().BeTrue("admin being off is not an error");
        page.ShouldHaveNoProblems();
    }

    /// <summary>The panel's refresh button where the page has one (the contract leaves when the panel loads to the page).</summary>
    private static async Task RefreshKeysAsync(WorkbenchPage page) => await page.Browser.EvaluateAsync("document.querySelector('#keys-refresh')?.click()");

    private static Task<string[]> Cells(WorkbenchPage page) => page.Browser.EvaluateAsync<string[]>($"[...{Row}.cells].map(c => c.textContent.trim())");

    private static string Digits(string text) => new([.. text.Where(char.IsAsciiDigit)]);

    private async Task<JsonElement> AdminKeyAsync(string name)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(session.Keyed.BaseUrl, "/admin/keys"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", WorkbenchSession.AdminKey);
        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        response.IsSuccessStatusCode.Should().BeTrue(body);
        return JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray().Single(k => k.GetProperty("name").GetString() == name).Clone();
    }
}
