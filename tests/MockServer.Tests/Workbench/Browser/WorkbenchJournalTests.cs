using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// The journal panel (issue 11): a request the page sent appears with its status, newest first; opening it shows the
/// request body and the frames the server sent.
/// </summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed class WorkbenchJournalTests(WorkbenchSession session)
{
    private const string Row = "[...document.querySelectorAll('#journal tbody tr')].find(r => r.textContent.includes('/v1/completions'))";

    [Fact]
    public async Task A_sent_request_appears_in_the_journal_and_opening_it_shows_its_body_and_frames()
    {
        var page = await session.OpenAsync(session.Open);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string>
        {
            ["max_tokens"] = "4", ["seed"] = "9", ["logprobs"] = "1", ["stream"] = "true", ["#show-frames"] = "true",
        }, "The journal keeps");
        await page.SendAsync();
        var frames = await page.FramesAsync();
        var sent = await page.SentAsync();

        await page.ClickAsync("#journal-refresh");
        await page.Browser.WaitForAsync(Row, "the completion to be listed in #journal");

        var cells = await page.Browser.EvaluateAsync<string[]>($"[...{Row}.cells].map(c => c.textContent.trim())");
        cells.Should().Contain(["POST", "/v1/completions", "llama-8b", "200"]);
        cells[0].Should().Be(sent.Sequence.ToString(CultureInfo.InvariantCulture), "the first column is the entry's sequence");
        cells.Should().Contain(sent.Frames.ToString(CultureInfo.InvariantCulture), "the frames the server sent are counted");
        var sequences = await page.Browser.EvaluateAsync<string[]>("[...document.querySelectorAll('#journal tbody tr')].map(r => r.cells[0].textContent.trim())");
        sequences.Select(s => long.Parse(s, CultureInfo.InvariantCulture)).Should().BeInDescendingOrder("newest first");

        await page.Browser.EvaluateAsync($"{Row}.querySelector('button.journal-open').click()");
        await page.Browser.WaitForAsync("!document.querySelector('#journal-detail').hidden && document.querySelector('#journal-detail').textContent.includes('data: [DONE]')",
            "#journal-detail to open with the frames");

        var blocks = await page.Browser.EvaluateAsync<string[]>("[...document.querySelectorAll('#journal-detail pre, #journal-detail code')].map(e => e.textContent)");
        var body = JsonNode.Parse(sent.Body!);
        blocks.Should().Contain(b => IsJson(b) && JsonNode.DeepEquals(JsonNode.Parse(b, null, default), body), "the detail shows the request body the page sent");
        var detail = await page.TextAsync("#journal-detail");
        foreach (var frame in frames)
        {
            detail.Should().Contain(frame, "the detail shows every frame the server sent");
        }

        await session.ScreenshotAsync("journal", "#journal-panel");
        page.ShouldHaveNoProblems();
    }

    private static bool IsJson(string text)
    {
        try
        {
            using var _ = JsonDocument.Parse(text);
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
