using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// Record and replay end to end (issue 9), on the mock itself: mock A (the <c>llmbase</c> dialect, a seeded synthetic
/// model) is the upstream, mock B records it, mock C replays the recording. Every answer C gives is A's, byte for byte,
/// except the ids and <c>created</c> (fresh unless pinned).
/// </summary>
public sealed class RecordAndReplayTests : IDisposable
{
    private static readonly DateTimeOffset ReplayNow = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly Exchange[] Exchanges =
    [
        new("completion", HttpMethod.Post, "completions", """{"model":"llama-8b","prompt":"The river","max_tokens":6,"seed":7,"logprobs":2}"""),
        new("completion stream", HttpMethod.Post, "completions", """{"model":"llama-8b","prompt":"The river","max_tokens":6,"seed":7,"logprobs":1,"stream":true,"stream_options":{"include_usage":true}}"""),
        new("chat", HttpMethod.Post, "chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Name a river."}],"max_tokens":6,"seed":7,"logprobs":true,"top_logprobs":2}"""),
        new("chat stream", HttpMethod.Post, "chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Name a river."}],"max_tokens":6,"seed":7,"stream":true,"stream_options":{"include_usage":true}}"""),
        new("chat stream, error mid-stream", HttpMethod.Post, "chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Name a lake."}],"max_tokens":6,"seed":7,"stream":true}""", Fault: "error_after=2"),
        new("unknown model", HttpMethod.Post, "chat/completions", """{"model":"llama-7b","messages":[{"role":"user","content":"Hi"}]}"""),
        new("unknown parameter", HttpMethod.Post, "completions", """{"model":"llama-8b","prompt":"Hi","max_tokenz":3}"""),
        new("models", HttpMethod.Get, "models", null),
    ];

    private readonly string _dir = RecordingHarness.TempDirectory("mock-recording-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_recording_of_the_mock_replays_every_answer_byte_for_byte_except_ids_and_created()
    {
        var (direct, recorded) = await RecordAsync();

        // Through the recorder, the client got exactly what the upstream answers (the same seeded requests sent to it directly).
        for (var i = 0; i < Exchanges.Length; i++)
        {
            recorded[i].Status.Should().Be(direct[i].Status, Exchanges[i].Name);
            RecordingHarness.WithoutIds(recorded[i].Text).Should().Be(RecordingHarness.WithoutIds(direct[i].Text), Exchanges[i].Name);
        }

        direct[4].Text.Should().Contain("\"error\"", "the fault ends that stream with an error event, which is recorded like any frame");
        direct[5].Status.Should().Be(404);
        direct[6].Status.Should().Be(400);
        var files = Directory.GetFiles(_dir, "*.json");
        files.Should().HaveCount(Exchanges.Length, "one file per exchange");
        foreach (var file in files)
        {
            (await File.ReadAllTextAsync(file)).ShouldConformTo("recording.schema.json");
        }

        var clock = new FakeTimeProvider(ReplayNow);
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none", TimeProvider = clock });
        using var client = Api.ClientFor(replayer);
        var replayedTexts = new List<string>();
        for (var i = 0; i < Exchanges.Length; i++)
        {
            var replayed = await client.SendAsync(Exchanges[i]);
            replayedTexts.Add(replayed.Text);
            replayed.Status.Should().Be(direct[i].Status, Exchanges[i].Name);
            replayed.ContentType.Should().Be(recorded[i].ContentType, Exchanges[i].Name);
            RecordingHarness.WithoutIds(replayed.Text).Should().Be(RecordingHarness.WithoutIds(direct[i].Text), Exchanges[i].Name);

            var ids = RecordingHarness.Ids(replayed.Text);
            if (Exchanges[i].Path != "models" && ids.Count > 0)
            {
                ids.Should().OnlyContain(id => id == ids[0], "a stream's chunks keep sharing one id");
                ids[0].Should().NotBe(RecordingHarness.Ids(recorded[i].Text)[0], "ids are regenerated");
                ids[0].Should().StartWith(RecordingHarness.Ids(recorded[i].Text)[0].Split('-')[0] + "-", "with the recorded id's prefix");
                replayed.Text.Should().Contain($"\"created\":{ReplayNow.ToUnixTimeSeconds()}", "created is the replaying server's now");
            }
        }

        // An entry is added once its request's handling ends, which can be just after the client read the answer: wait.
        var entries = await replayer.Journal.WaitForAsync(Exchanges.Length);
        entries.Should().HaveCount(Exchanges.Length)
            .And.OnlyContain(e => e.AnsweredBy == "recording" && e.Fixture != null && e.Fixture.EndsWith(".json"));
        entries.Select(e => e.Response).Should().Equal(replayedTexts, "the journal keeps each replayed answer as sent, frames and bodies alike");
    }

    [Fact]
    public async Task Pinned_ids_replay_the_recorded_bytes_exactly()
    {
        var (_, recorded) = await RecordAsync();

        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none", ReplayPinIds = true, TimeProvider = new FakeTimeProvider(ReplayNow) });
        using var client = Api.ClientFor(replayer);
        for (var i = 0; i < Exchanges.Length; i++)
        {
            (await client.SendAsync(Exchanges[i])).Body.Should().Equal(recorded[i].Body, Exchanges[i].Name);
        }
    }

    [Fact]
    public async Task A_request_no_recording_matches_is_answered_by_the_mock_as_usual()
    {
        await RecordAsync();
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none" });
        using var client = Api.ClientFor(replayer);

        // Another seed: not recorded, so the synthetic model answers, through the normal endpoint (it reads the body again).
        var other = await client.SendAsync(new Exchange("other", HttpMethod.Post, "completions", """{"model":"llama-8b","prompt":"The river","max_tokens":6,"seed":8}"""));

        other.Status.Should().Be(200, other.Text);
        other.Text.ShouldConformTo(Schemas.Completion);
        (await replayer.Journal.WaitForAsync(1)).Single().AnsweredBy.Should().Be("synthetic");
    }

    [Fact]
    public async Task With_recorded_timing_each_frame_arrives_exactly_at_its_offset_on_the_injected_clock()
    {
        await RecordAsync();
        var stream = Exchanges[3];
        var file = Directory.GetFiles(_dir, "chat-*.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .Single(r => r.GetProperty("response").TryGetProperty("frames", out _) && r.GetProperty("match").GetProperty("messages")[0].GetProperty("content").GetString() == "Name a river.");
        var frames = file.GetProperty("response").GetProperty("frames").EnumerateArray()
            .Select(f => (Offset: TimeSpan.FromTicks((long)Math.Round(f.GetProperty("offset_ms").GetDouble() * TimeSpan.TicksPerMillisecond)), Text: f.GetProperty("text").GetString()!))
            .ToList();
        frames.Should().HaveCountGreaterThan(3);

        var clock = new WatchedTimeProvider();
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, TimeProvider = clock });
        using var client = Api.ClientFor(replayer);
        using var request = stream.ToRequest();
        var send = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await Timed.ArriveAtAsync(clock, frames[0].Offset, send); // the headers go with the first frame
        using var response = await send;
        await using var body = await response.Content.ReadAsStreamAsync();
        var previous = TimeSpan.Zero;
        foreach (var (offset, text) in frames)
        {
            var frame = StreamReading.ReadUntilAsync(body, "\n\n");
            if (offset > previous && previous != TimeSpan.Zero)
            {
                await Timed.ArriveAtAsync(clock, offset - previous, frame);
            }

            RecordingHarness.WithoutIds(await frame.WaitAsync(Timed.HangGuard)).Should().Be(RecordingHarness.WithoutIds(text));
            previous = offset;
        }
    }

    [Fact]
    public async Task Scaled_timing_asked_by_header_halves_every_offset()
    {
        await RecordAsync();
        var first = Directory.GetFiles(_dir, "completions-*.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement)
            .Single(r => r.GetProperty("response").TryGetProperty("frames", out _))
            .GetProperty("response").GetProperty("frames")[0].GetProperty("offset_ms").GetDouble();

        var clock = new WatchedTimeProvider();
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, TimeProvider = clock });
        using var client = Api.ClientFor(replayer);
        using var request = Exchanges[1].ToRequest();
        request.Headers.Add("X-Mock-Replay-Timing", "scale=0.5");
        var send = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        await Timed.ArriveAtAsync(clock, TimeSpan.FromTicks((long)Math.Round(Math.Round(first * TimeSpan.TicksPerMillisecond) * 0.5)), send);
        using var response = await send;
        ((int)response.StatusCode).Should().Be(200);
    }

    [Fact]
    public async Task A_bad_replay_timing_header_is_a_structured_400()
    {
        await RecordAsync();
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir });
        using var client = Api.ClientFor(replayer);
        using var request = Exchanges[0].ToRequest();
        request.Headers.Add("X-Mock-Replay-Timing", "fast");

        using var response = await client.SendAsync(request);

        ((int)response.StatusCode).Should().Be(400);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldConformTo(Schemas.Error);
        body.Should().Contain("X-Mock-Replay-Timing").And.Contain("scale=");
    }

    /// <summary>Sends every exchange to A directly and through B (recording into the test's folder).</summary>
    private async Task<(Answer[] Direct, Answer[] Recorded)> RecordAsync()
    {
        await using var upstream = await MockLlmServer.StartAsync(new MockServerOptions { Profile = "llmbase", Seed = 42 });
        await using var recorder = await MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = upstream.BaseUrl, RecordDirectory = _dir });
        using var toUpstream = Api.ClientFor(upstream);
        using var toRecorder = Api.ClientFor(recorder);
        var direct = new Answer[Exchanges.Length];
        var recorded = new Answer[Exchanges.Length];
        for (var i = 0; i < Exchanges.Length; i++)
        {
            recorded[i] = await toRecorder.SendAsync(Exchanges[i]);
            direct[i] = await toUpstream.SendAsync(Exchanges[i]);
        }

        var entries = await recorder.Journal.WaitForAsync(Exchanges.Length);
        entries.Should().HaveCount(Exchanges.Length).And.OnlyContain(e => e.AnsweredBy == "upstream");
        entries.Select(e => e.Response).Should().Equal(recorded.Select(r => r.Text), "the recorder's journal keeps each relayed answer as sent");
        return (direct, recorded);
    }
}

/// <summary>Frame arrival on a fake clock, as the timing tests check it: not one tick early, then at once.</summary>
internal static class Timed
{
    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Tick = TimeSpan.FromTicks(1);

    public static async Task ArriveAtAsync(WatchedTimeProvider clock, TimeSpan due, Task arrival)
    {
        await clock.WaitForPendingAsync(1).WaitAsync(HangGuard);
        clock.Advance(due - Tick);
        clock.Pending.Should().Be(1, "the replay still waits one tick before the frame's offset");
        arrival.IsCompleted.Should().BeFalse("nothing is sent before its offset");
        await Task.Run(() => clock.Advance(Tick));
        await arrival.WaitAsync(HangGuard);
    }
}
