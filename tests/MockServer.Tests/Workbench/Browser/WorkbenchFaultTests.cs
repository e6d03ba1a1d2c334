namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// A stream the mock cuts on request (<c>X-Mock-Fault: disconnect_after=3</c>, README "Faults"): the page shows the
/// frames that did arrive and says plainly that the stream ended without <c>data: [DONE]</c>, rather than reading as a
/// clean finish or as a broken connection.
/// </summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed class WorkbenchFaultTests(WorkbenchSession session)
{
    [Fact]
    public async Task A_stream_cut_after_three_frames_is_reported_as_ended_without_done()
    {
        var page = await session.OpenAsync(session.Open);
        await page.ComposeAsync("completions", "llama-8b", new Dictionary<string, string>
        {
            ["max_tokens"] = "8", ["seed"] = "7", ["stream"] = "true", ["x-mock-fault"] = "disconnect_after=3", ["#show-frames"] = "true",
        }, "Hello");

        await page.SendAsync(until: "done");

        var frames = await page.FramesAsync();
        frames.Should().HaveCount(3, "the fault closes the stream after three frames");
        frames.Should().NotContain("data: [DONE]");
        var notes = await page.TextAsync("#notes");
        notes.Should().Contain("no data: [DONE] after 3 frames", "the page says the stream ended early");
        notes.Should().Contain("disconnect_after=3", "the page names the fault the mock applied");
        notes.Should().NotContain("connection broke", "a clean close without [DONE] is not a broken connection");
        (await page.TextAsync("#state")).Should().Contain("no [DONE]");
        page.ShouldHaveNoProblems();
    }
}
