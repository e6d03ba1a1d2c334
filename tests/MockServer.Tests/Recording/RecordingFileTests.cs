using MockServer.Fixtures;
using MockServer.Hosting;

namespace MockServer.Tests.Recording;

/// <summary>
/// A recording is a fixture file (issue 9): validated against <c>schemas/recording.schema.json</c> at start, and a bad
/// one stops the start with the file, the JSON path and the line, as a bad fixture does. And the settings that make no
/// sense together are refused before anything starts.
/// </summary>
public sealed class RecordingFileTests : IDisposable
{
    private const string Good = """
        {
          "recording": 1,
          "endpoint": "completions",
          "method": "POST",
          "path": "/v1/completions",
          "match": { "model": "m", "prompt": "Hi", "parameters": { "max_tokens": 2, "stream": true } },
          "response": {
            "status": 200,
            "headers": { "content-type": "text/event-stream" },
            "frames": [
              { "offset_ms": 5, "text": "data: {\"id\":\"cmpl-1\",\"created\":1,\"choices\":[{\"text\":\" a\"}]}\n\n" },
              { "offset_ms": 7.5, "text": "data: [DONE]\n\n" }
            ]
          }
        }
        """;

    private readonly string _dir = RecordingHarness.TempDirectory("mock-recording-files-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_hand_written_recording_replays()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "hand.json"), Good);
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none", ReplayPinIds = true });
        using var client = TestUtils.Api.ClientFor(replayer);

        // Key order in the request does not matter; every value does.
        var answer = await client.SendAsync(new Exchange("hand", HttpMethod.Post, "completions", """{"stream":true,"prompt":"Hi","max_tokens":2,"model":"m"}"""));

        answer.Text.Should().Be("data: {\"id\":\"cmpl-1\",\"created\":1,\"choices\":[{\"text\":\" a\"}]}\n\ndata: [DONE]\n\n");
    }

    [Theory]
    [InlineData("\"offset_ms\": 7.5", "\"offset_ms\": \"soon\"", "$.response.frames[1].offset_ms", 12)]
    [InlineData("\"status\": 200,", "\"status\": 200, \"body\": \"x\",", "$.response", 7)]
    [InlineData("\"endpoint\": \"completions\"", "\"endpoint\": \"embeddings\"", "$.endpoint", 3)]
    [InlineData("\"offset_ms\": 7.5", "\"offset_ms\": 2", "$.response.frames[1].offset_ms", 12)]
    [InlineData("\"match\"", "\"macth\"", "$.match", 1)]
    public Task A_bad_recording_stops_the_start_naming_file_path_and_line(string from, string to, string path, int line) =>
        RecordingHarness.StartIsRefusedAsync(_dir, Good, from, to, path, line);

    [Theory]
    [InlineData("http://127.0.0.1:9/v1", null, "record mode needs both")]
    [InlineData(null, "DIR", "record mode needs both")]
    [InlineData("http://user:secret@127.0.0.1:9/v1", "DIR", "without user info")]
    [InlineData("http://127.0.0.1:9/v1?key=secret", "DIR", "without user info, query")]
    [InlineData("ftp://127.0.0.1:9/v1", "DIR", "http or https")]
    public async Task Record_settings_that_cannot_work_stop_the_start(string? upstream, string? dir, string expected)
    {
        var options = new MockServerOptions { RecordUpstream = upstream is null ? null : new Uri(upstream), RecordDirectory = dir is null ? null : _dir };

        var start = () => MockLlmServer.StartAsync(options);

        var message = (await start.Should().ThrowAsync<ArgumentException>()).Which.Message;
        message.Should().Contain(expected).And.NotContain("secret");
    }

    [Fact]
    public async Task A_record_directory_that_cannot_be_made_stops_the_start()
    {
        var file = Path.Combine(_dir, "a-file");
        await File.WriteAllTextAsync(file, "");

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = new Uri("http://127.0.0.1:9/v1"), RecordDirectory = Path.Combine(file, "recordings") });

        (await start.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().StartWith("--record-dir '").And.Contain("cannot be created");
    }

    [Theory]
    [InlineData(null, "is not set or empty")]
    [InlineData("short", "at least 8 characters")]
    [InlineData("has a space in it", "without spaces")]
    public async Task An_unusable_upstream_key_stops_the_start_without_showing_it(string? key, string expected)
    {
        var variable = "MOCK_RECORD_TEST_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, key);
        try
        {
            var start = () => MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = new Uri("http://127.0.0.1:9/v1"), RecordDirectory = _dir, RecordKeyEnvironmentVariable = variable });

            var message = (await start.Should().ThrowAsync<ArgumentException>()).Which.Message;
            message.Should().Contain(expected).And.Contain(variable);
            if (key is not null)
            {
                message.Should().NotContain(key);
            }
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public void The_record_and_replay_flags_are_known_to_the_command_line()
    {
        var act = () => MockServer.Hosting.CommandLineArguments.Check(
            ["--record-upstream", "http://127.0.0.1:9/v1", "--record-dir", "d", "--record-key-env", "K", "--replay", "d", "--replay-timing", "none", "--replay-pin-ids", "true"]);

        act.Should().NotThrow();
        MockServer.Hosting.CommandLineArguments.Usage.Should().Contain("--record-upstream").And.Contain("--replay-timing");
    }
}
