using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// Replay refuses what it cannot send (review of issue 9): a hand-edited recording it could not answer with stops the
/// start naming the file, JSON path and line, and a request's pacing or a recorded id never ends in a 500.
/// </summary>
public sealed class ReplayRobustnessTests : IDisposable
{
    private const string Body = """
        {
          "recording": 1,
          "endpoint": "completions",
          "method": "POST",
          "path": "/v1/completions",
          "match": { "model": "m", "prompt": "Hi", "parameters": {} },
          "response": {
            "status": 200,
            "headers": { "content-type": "application/json" },
            "offset_ms": 86400000,
            "body": "{\"id\":\"cmpl-1\",\"created\":1}"
          }
        }
        """;

    private static readonly Exchange Request = new("hand", HttpMethod.Post, "completions", """{"model":"m","prompt":"Hi"}""");

    private readonly string _dir = RecordingHarness.TempDirectory("mock-replay-robust-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_day_long_offset_scaled_a_thousandfold_is_waited_out_not_a_500()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "day.json"), Body);
        var clock = new WatchedTimeProvider();
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, TimeProvider = clock, ReplayPinIds = true });
        using var client = Api.ClientFor(replayer);
        using var request = Request.ToRequest();
        request.Headers.Add("X-Mock-Replay-Timing", "scale=1000");

        var send = client.SendAsync(request);
        await Task.WhenAny(send, clock.WaitForPendingAsync(1)).WaitAsync(Timed.HangGuard);
        send.IsCompleted.Should().BeFalse("the answer waits 1000 days on the clock (a timer cannot be set that far at once)");
        clock.Advance(TimeSpan.FromDays(999));
        await Task.WhenAny(send, clock.WaitForPendingAsync(1)).WaitAsync(Timed.HangGuard);
        send.IsCompleted.Should().BeFalse("one day is still to wait");
        clock.Advance(TimeSpan.FromDays(1));
        using var response = await send.WaitAsync(Timed.HangGuard);

        ((int)response.StatusCode).Should().Be(200);
        (await response.Content.ReadAsStringAsync()).Should().Be("""{"id":"cmpl-1","created":1}""");
    }

    [Theory]
    [InlineData("scale=1001")]
    [InlineData("scale=NaN")]
    [InlineData("scale=-1")]
    public async Task A_scale_beyond_a_thousand_is_a_400_naming_the_header(string timing)
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "day.json"), Body);
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir });
        using var client = Api.ClientFor(replayer);
        using var request = Request.ToRequest();
        request.Headers.Add("X-Mock-Replay-Timing", timing);

        using var response = await client.SendAsync(request);

        ((int)response.StatusCode).Should().Be(400);
        (await response.Content.ReadAsStringAsync()).Should().Contain("X-Mock-Replay-Timing").And.Contain("from 0 to 1000");
    }

    [Theory]
    [InlineData("\"content-type\": \"application/json\"", "\"content-type\": \"application/json\\r\\nSet-Cookie: a=b\"", "$.response.headers", 9)]
    [InlineData("\"content-type\": \"application/json\"", "\"set-cookie\": \"a=b\"", "$.response.headers", 9)]
    [InlineData("\"status\": 200", "\"status\": 204", "$.response.body", 11)]
    [InlineData("\"status\": 200", "\"status\": 304", "$.response.body", 11)]
    [InlineData("\"status\": 200", "\"status\": 101", "$.response.status", 8)]
    public Task A_recording_replay_could_not_send_stops_the_start_naming_file_path_and_line(string from, string to, string path, int line) =>
        RecordingHarness.StartIsRefusedAsync(_dir, Body, from, to, path, line);

    [Fact]
    public async Task A_204_with_an_empty_body_replays()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "empty.json"), Body.Replace("\"status\": 200", "\"status\": 204", StringComparison.Ordinal)
            .Replace("\"body\": \"{\\\"id\\\":\\\"cmpl-1\\\",\\\"created\\\":1}\"", "\"body\": \"\"", StringComparison.Ordinal));
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none" });
        using var client = Api.ClientFor(replayer);

        (await client.SendAsync(Request)).Status.Should().Be(204);
    }

    [Fact]
    public async Task A_recorded_id_with_a_lone_surrogate_is_replayed_as_recorded()
    {
        var lone = Body.Replace("\\\"id\\\":\\\"cmpl-1\\\"", "\\\"id\\\":\\\"\\\\ud800\\\"", StringComparison.Ordinal);
        lone.Should().Contain("\\\\ud800");
        await File.WriteAllTextAsync(Path.Combine(_dir, "lone.json"), lone);
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none" });
        using var client = Api.ClientFor(replayer);

        var answer = await client.SendAsync(Request);

        answer.Status.Should().Be(200);
        answer.Text.Should().Be("""{"id":"\ud800","created":1}""", "an id that cannot be decoded is left as it is");
    }
}
