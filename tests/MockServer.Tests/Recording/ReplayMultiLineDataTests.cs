using Microsoft.Extensions.Time.Testing;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// An SSE event may spread its data over several <c>data:</c> lines, which a client joins with a line feed (review of
/// issue 9): replay still gives such an event a fresh id and created, and keeps every other byte, line breaks included.
/// </summary>
public sealed class ReplayMultiLineDataTests : IDisposable
{
    private const string Recording = """
        {
          "recording": 1,
          "endpoint": "completions",
          "method": "POST",
          "path": "/v1/completions",
          "match": { "model": "m", "prompt": "Hi", "parameters": { "stream": true } },
          "response": {
            "status": 200,
            "headers": { "content-type": "text/event-stream" },
            "frames": [
              { "offset_ms": 1, "text": "data: {\"id\":\"cmpl-1\",\ndata: \"created\":1,\"choices\":[]}\n\n" },
              { "offset_ms": 2, "text": "data: [DONE]\n\n" }
            ]
          }
        }
        """;

    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _dir = RecordingHarness.TempDirectory("mock-replay-multiline-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task An_event_whose_json_spans_several_data_lines_gets_a_fresh_id_and_created()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "multi.json"), Recording);
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none", TimeProvider = new FakeTimeProvider(Now) });
        using var client = Api.ClientFor(replayer);

        var answer = await client.SendAsync(new Exchange("multi", HttpMethod.Post, "completions", """{"model":"m","prompt":"Hi","stream":true}"""));

        var id = RecordingHarness.Ids(answer.Text).Single();
        id.Should().StartWith("cmpl-").And.NotBe("cmpl-1");
        answer.Text.Should().Be($"data: {{\"id\":\"{id}\",\ndata: \"created\":{Now.ToUnixTimeSeconds()},\"choices\":[]}}\n\ndata: [DONE]\n\n");
    }
}
