using System.Text.Json;
using MockServer.Journal;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// A request the server refuses (issue 11): the page shows the server's own error (status, type, code, message, param),
/// marks the control the error names, and the next valid send clears both.
/// </summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed class WorkbenchErrorTests(WorkbenchSession session)
{
    private const string CopySession = "error-copy";

    [Fact]
    public async Task A_400_names_the_field_marks_its_control_and_the_next_valid_send_clears_it()
    {
        var page = await session.OpenAsync(session.Open);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string> { ["max_tokens"] = "4", ["temperature"] = "5" }, "Hello");

        await page.SendAsync(until: "error");

        await ShouldShowErrorAsync(page, "temperature", sent: 1);
        await session.ScreenshotAsync("error", "#request", "#answer");

        // Another bad field: the mark moves to its control.
        await page.SetAsync("f-temperature", "0.7");
        await page.SetAsync("f-logprobs", "25");
        await page.SendAsync(until: "error");
        await ShouldShowErrorAsync(page, "logprobs", sent: 2);

        await page.SetAsync("f-logprobs", "2");
        await page.SendAsync();

        (await page.Browser.EvaluateAsync<bool>("(() => { const e = document.querySelector('#error'); return e.hidden || e.textContent.trim() === ''; })()"))
            .Should().BeTrue("a valid send clears the error");
        (await page.CountAsync("[aria-invalid='true'], .invalid")).Should().Be(0, "a valid send clears the marked control");
        (await page.CountAsync("#output span.tok")).Should().BePositive();
        page.ShouldHaveNoProblems();
    }

    /// <summary>#error shows what the server answered for the request the page sent, and only the named control is marked.</summary>
    private static async Task ShouldShowErrorAsync(WorkbenchPage page, string param, int sent)
    {
        // The server's own answer to the body the page sent, from an HTTP client in a session of its own, whose journal
        // entry is then removed so the page's requests stay the only ones counted.
        using var client = Api.ClientFor(page.Server);
        client.DefaultRequestHeaders.Add(RequestJournal.SessionHeader, CopySession);
        var error = await client.ErrorAsync((await page.SentAsync(nth: sent)).Body!);
        (await page.Server.Journal.WaitForAsync(1, new JournalFilter(Session: CopySession))).Should().ContainSingle();
        page.Server.Journal.Clear(new JournalFilter(Session: CopySession));
        error.GetProperty("param").GetString().Should().Be(param, "the server names the field (the scenario's premise)");

        (await page.Browser.EvaluateAsync<bool>("document.querySelector('#error').hidden")).Should().BeFalse("#error is shown");
        (await page.Browser.EvaluateAsync<string>("document.querySelector('#error').getAttribute('role')")).Should().Be("alert");
        var shown = await page.TextAsync("#error");
        shown.Should().Contain("400");
        foreach (var field in (string[])["type", "code", "message", "param"])
        {
            if (error.GetProperty(field).ValueKind == JsonValueKind.String)
            {
                shown.Should().Contain(error.GetProperty(field).GetString(), $"#error shows the error's {field}");
            }
        }

        var control = $"f-{param}";
        (await page.Browser.EvaluateAsync<string?>($"document.getElementById('{control}').getAttribute('aria-invalid')")).Should().Be("true");
        (await page.Browser.EvaluateAsync<bool>($"document.getElementById('{control}').classList.contains('invalid')")).Should().BeTrue();
        (await page.Browser.EvaluateAsync<string[]>("[...document.querySelectorAll(\"[aria-invalid='true']\")].map(e => e.id)"))
            .Should().Equal([control], "only the control the error names is marked");
    }
}
