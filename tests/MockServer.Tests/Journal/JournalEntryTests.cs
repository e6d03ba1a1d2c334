using System.ClientModel;
using System.Text.Json;
using MockServer.Hosting;
using MockServer.Journal;
using MockServer.Tests.TestUtils;
using OpenAI;
using OpenAI.Chat;

namespace MockServer.Tests.Journal;

/// <summary>
/// What one journal entry says about a request (issue 9, "Request journal"): what the client sent (body, model,
/// session), what answered (fixture or synthetic), any fault and its Retry-After, the status, and for a stream the
/// events sent and whether <c>[DONE]</c> was among them; so a test can assert on what its client did.
/// </summary>
public sealed class JournalEntryTests
{
    [Fact]
    public async Task An_OpenAI_SDK_chat_request_is_journaled_with_its_body_model_fixture_and_status()
    {
        await using var harness = await JournalHarness.StartAsync();
        var chat = new ChatClient("llama-8b-instruct", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = harness.Server.BaseUrl });

        ChatCompletion answer = await chat.CompleteChatAsync([new UserChatMessage(JournalHarness.Greeting)], new ChatCompletionOptions { MaxOutputTokenCount = 9 });

        var entry = (await harness.SettledAsync(1)).Single();
        answer.Content.Single().Text.Should().Be("Hello, journal");
        entry.Method.Should().Be("POST");
        entry.Path.Should().Be("/v1/chat/completions");
        entry.Status.Should().Be(200);
        entry.Model.Should().Be("llama-8b-instruct");
        entry.AnsweredBy.Should().Be("fixture");
        entry.Fixture.Should().Be(JournalHarness.ChatFixture);
        entry.Stream.Should().BeFalse();
        entry.Frames.Should().Be(0);
        entry.LeftEarly.Should().BeFalse();
        var body = JsonDocument.Parse(entry.Body!).RootElement;
        body.GetProperty("messages")[0].GetProperty("content").GetString().Should().Be(JournalHarness.Greeting);
        body.GetProperty("max_completion_tokens").GetInt32().Should().Be(9, "the body is what the SDK sent, byte for byte");
        entry.BodyTruncated.Should().BeFalse();
        entry.Headers.Should().ContainKey("User-Agent");
    }

    [Theory]
    [InlineData("completions", """{"model":"llama-8b","prompt":"Count for the journal:","max_tokens":8,"stream":true}""", "journal-count")]
    [InlineData("chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Greet the journal"}],"stream":true}""", "journal-greeting")]
    [InlineData("completions", """{"model":"llama-8b","prompt":"Nothing scripted","max_tokens":3,"stream":true}""", null)]
    public async Task A_stream_read_to_the_end_counts_every_event_and_its_done(string path, string json, string? fixture)
    {
        await using var harness = await JournalHarness.StartAsync();

        using var response = await harness.V1().PostAsync(path, JournalHarness.Json(json));
        var transcript = await SseTranscript.ReadAsync(response);

        var entry = (await harness.SettledAsync(1)).Single();
        entry.Stream.Should().BeTrue();
        entry.Frames.Should().Be(transcript.Payloads.Count, "each data: event the client read, [DONE] included");
        transcript.Payloads[^1].Should().Be("[DONE]");
        entry.Done.Should().BeTrue();
        entry.LeftEarly.Should().BeFalse();
        entry.Fixture.Should().Be(fixture);
        entry.AnsweredBy.Should().Be(fixture is null ? "synthetic" : "fixture");
    }

    [Fact]
    public async Task A_stream_the_client_leaves_early_is_marked_with_fewer_frames_and_no_done()
    {
        // One second between tokens on a clock that never moves: the stream waits after its first token until the client goes.
        var clock = new WatchedTimeProvider();
        await using var harness = await JournalHarness.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.Timing = new StreamTiming { InterTokenLatency = TimeSpan.FromSeconds(1) };
        });
        var client = harness.V1();

        using (var whole = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = JournalHarness.Json(JournalHarness.Count(stream: true)) })
        {
            whole.Headers.Add("X-Mock-Timing", "itl_ms=0");
            using var response = await client.SendAsync(whole);
            await SseTranscript.ReadAsync(response);
        }

        using (var leaving = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = JournalHarness.Json(JournalHarness.Count(stream: true)) })
        using (var response = await client.SendAsync(leaving, HttpCompletionOption.ResponseHeadersRead))
        {
            await using var body = await response.Content.ReadAsStreamAsync();
            (await StreamReading.ReadUntilAsync(body, "\n\n")).Should().Contain("\" one\"");
        }

        var entries = await harness.SettledAsync(2);
        var (read, left) = (entries[0], entries[1]);
        read.Done.Should().BeTrue();
        read.LeftEarly.Should().BeFalse();
        left.LeftEarly.Should().BeTrue("the client closed the stream after its first event");
        left.Done.Should().BeFalse();
        left.Frames.Should().BeGreaterThan(0).And.BeLessThan(read.Frames);
        left.Stream.Should().BeTrue();
    }

    [Fact]
    public async Task A_fault_is_journaled_in_its_canonical_syntax_with_the_answers_retry_after()
    {
        await using var harness = await JournalHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = JournalHarness.Json(JournalHarness.Count()) };
        request.Headers.Add("X-Mock-Fault", "status=429;retry_after=07");

        using var response = await harness.V1().SendAsync(request);

        var entry = (await harness.SettledAsync(1)).Single();
        ((int)response.StatusCode).Should().Be(429);
        entry.Status.Should().Be(429);
        entry.Fault.Should().Be(response.Headers.GetValues("X-Mock-Fault-Applied").Single()).And.Be("status=429;retry_after=7");
        entry.RetryAfterSeconds.Should().Be(7);
        entry.AnsweredBy.Should().BeNull("the fault answered before generation");
        entry.Model.Should().Be("llama-8b");
    }

    [Fact]
    public async Task A_stream_fault_records_the_events_actually_sent()
    {
        await using var harness = await JournalHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = JournalHarness.Json(JournalHarness.Count(stream: true)) };
        request.Headers.Add("X-Mock-Fault", "disconnect_after=2");

        using var response = await harness.V1().SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        var events = raw.Split("\n\n", StringSplitOptions.RemoveEmptyEntries).Count(e => e.StartsWith("data: ", StringComparison.Ordinal));

        var entry = (await harness.SettledAsync(1)).Single();
        entry.Fault.Should().Be("disconnect_after=2");
        entry.Frames.Should().Be(2).And.Be(events);
        raw.Should().NotContain("[DONE]");
        entry.Done.Should().BeFalse("the server ended the stream without [DONE]");
        entry.LeftEarly.Should().BeFalse("the server ended it, the client read to the end");
    }

    [Fact]
    public async Task A_reset_the_server_made_is_not_the_client_leaving_early()
    {
        await using var harness = await JournalHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = JournalHarness.Json(JournalHarness.Count(stream: true)) };
        request.Headers.Add("X-Mock-Fault", "reset_after=2");

        try
        {
            using var response = await harness.V1().SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsStringAsync();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // the reset may reach the client as an error: the journal says who ended the stream
        }

        var entry = (await harness.SettledAsync(1)).Single();
        entry.Fault.Should().Be("reset_after=2");
        entry.Frames.Should().Be(2);
        entry.Done.Should().BeFalse();
        entry.LeftEarly.Should().BeFalse("the fault reset the connection, the client did not leave");
    }

    [Fact]
    public async Task A_refused_request_is_journaled_with_its_status_and_the_model_it_named()
    {
        await using var harness = await JournalHarness.StartAsync();

        using var response = await harness.V1().PostAsync("completions", JournalHarness.Json("""{"model":"no-such-model","prompt":"x"}"""));

        var entry = (await harness.SettledAsync(1)).Single();
        entry.Status.Should().Be((int)response.StatusCode).And.Be(404);
        entry.Model.Should().Be("no-such-model");
        entry.AnsweredBy.Should().BeNull();
        entry.Fixture.Should().BeNull();
    }

    [Fact]
    public async Task A_long_body_is_kept_up_to_the_limit_and_marked_truncated()
    {
        await using var harness = await JournalHarness.StartAsync();
        var prompt = new string('é', RequestJournal.MaxBodyChars); // two UTF-8 bytes each: the limit is in characters
        var json = $$"""{"model":"llama-8b","prompt":"{{prompt}}","max_tokens":1}""";

        using var response = await harness.V1().PostAsync("completions", JournalHarness.Json(json));

        var entry = (await harness.SettledAsync(1)).Single();
        entry.Body.Should().HaveLength(RequestJournal.MaxBodyChars).And.Be(json[..RequestJournal.MaxBodyChars]);
        entry.BodyTruncated.Should().BeTrue();
    }

    [Fact]
    public async Task The_request_hash_is_equal_for_a_retry_and_differs_for_another_body()
    {
        await using var harness = await JournalHarness.StartAsync();
        var client = harness.V1();

        foreach (var json in new[] { JournalHarness.Count(), JournalHarness.Count(), JournalHarness.Count().Replace("\"max_tokens\":8", "\"max_tokens\":7", StringComparison.Ordinal) })
        {
            using var response = await client.PostAsync("completions", JournalHarness.Json(json));
        }

        var entries = await harness.SettledAsync(3);
        entries[0].RequestHash.Should().MatchRegex("^[0-9a-f]{16}$");
        entries[1].RequestHash.Should().Be(entries[0].RequestHash);
        entries[2].RequestHash.Should().NotBe(entries[0].RequestHash);
    }

    [Fact]
    public async Task Entries_carry_arrival_time_and_duration_on_the_servers_clock()
    {
        var clock = new WatchedTimeProvider();
        var start = clock.GetUtcNow();
        await using var harness = await JournalHarness.StartAsync(o =>
        {
            o.TimeProvider = clock;
            o.Timing = new StreamTiming { TimeToFirstToken = TimeSpan.FromSeconds(3) };
        });

        var send = harness.V1().PostAsync("completions", JournalHarness.Json("""{"model":"llama-8b","prompt":"Count for the journal:","max_tokens":1}"""));
        await clock.WaitForPendingAsync(1);
        await Task.Run(() => clock.Advance(TimeSpan.FromSeconds(3)));
        using var response = await send;

        var entry = (await harness.SettledAsync(1)).Single();
        entry.Time.Should().Be(start);
        entry.Duration.Should().Be(TimeSpan.FromSeconds(3));
        entry.Sequence.Should().Be(1);
    }
}
