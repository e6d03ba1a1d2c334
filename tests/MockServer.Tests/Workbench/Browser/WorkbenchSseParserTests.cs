using System.Text.Json;
using System.Text.Json.Nodes;
using static MockServer.Tests.Workbench.Browser.Driver.BrowserPage;

namespace MockServer.Tests.Workbench.Browser;

/// <summary>
/// The page's SSE reader (<c>/workbench/sse.js</c>) in the browser that runs it: a stream's bytes reach the page in
/// pieces that split anywhere, and every split must give the same events (WHATWG HTML §9.2.6). The mock writes each
/// frame whole, so the page tests never see a frame cut in two, a CRLF cut between its CR and LF, or a comment line.
/// </summary>
[Collection(WorkbenchBrowserDefinition.Name)]
public sealed class WorkbenchSseParserTests(WorkbenchSession session)
{
    // A comment, a two-line event with CRLF line ends (a CRLF cut between its CR and LF must not read as a blank line,
    // which would end the event after its first line), LF line ends, a bare CR ending [DONE]'s line, an unfinished frame.
    private const string Stream = ": ping\r\ndata: x\r\ndata: y\r\n\r\ndata: {\"a\":1}\n\ndata: [DONE]\r\rdata: {not";

    [Fact]
    public async Task Every_split_of_a_stream_gives_the_same_events_comments_and_leftover()
    {
        var page = await session.OpenAsync(session.Open);

        // Cut the text into pieces of every size from 1 to its length (an empty piece after each, as a TextDecoder
        // holding half a character gives), and read what the parser made of each.
        var outcomes = await page.Browser.EvaluateAsync<string[]>($$"""
            (async () => {
              const { SseParser } = await import('/workbench/sse.js');
              const input = {{Js(Stream)}};
              const outcomes = [];
              for (let size = 1; size <= input.length; size++) {
                const events = [], comments = [];
                const parser = new SseParser(e => events.push(e), c => comments.push(c));
                for (let i = 0; i < input.length; i += size) { parser.push(input.slice(i, i + size)); parser.push(''); }
                outcomes.push(JSON.stringify({ events, comments, leftover: parser.end() }));
              }
              return outcomes;
            })()
            """);

        outcomes.Should().HaveCount(Stream.Length);
        var expected = JsonSerializer.Serialize(new
        {
            events = new[]
            {
                new { raw = "data: x\ndata: y", data = "x\ny" },
                new { raw = "data: {\"a\":1}", data = "{\"a\":1}" },
                new { raw = "data: [DONE]", data = "[DONE]" },
            },
            comments = new[] { ": ping" },
            leftover = "data: {not",
        });
        for (var size = 1; size <= outcomes.Length; size++)
        {
            JsonNode.DeepEquals(JsonNode.Parse(outcomes[size - 1]), JsonNode.Parse(expected)).Should().BeTrue($"pieces of {size} characters must read as the whole stream does: {outcomes[size - 1]}");
        }

        page.ShouldHaveNoProblems();
    }
}
