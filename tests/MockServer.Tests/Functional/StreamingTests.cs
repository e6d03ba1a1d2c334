using System.Net;
using System.Text;
using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Functional;

/// <summary>SSE framing and the finish/usage rules on real Kestrel (spec-facts §4, §11.4).</summary>
public sealed class StreamingTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    /// <summary>Fails a test that would otherwise hang; never reached when the behaviour holds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("""{"model":"llama-8b","prompt":"Tell me a story","max_tokens":40,"stream":true,"seed":3}""")]
    [InlineData("""{"model":"llama-1b","prompt":["A","B"],"n":2,"max_tokens":12,"stream":true,"logprobs":3,"stream_options":{"include_usage":true}}""")]
    [InlineData("""{"model":"llama-70b","prompt":"Hi","max_tokens":5,"stream":true,"echo":true,"logprobs":0}""")]
    public async Task Every_chunk_follows_the_schema_with_constant_id_created_model(string request)
    {
        var transcript = await server.Client.StreamAsync(request);

        foreach (var payload in transcript.Payloads.SkipLast(1))
        {
            payload.ShouldConformTo(Schemas.Chunk);
        }

        transcript.Chunks.Select(c => c.GetProperty("id").GetString()).Distinct().Should().ContainSingle();
        transcript.Chunks.Select(c => c.GetProperty("created").GetInt64()).Distinct().Should().ContainSingle();
        transcript.Chunks.Select(c => c.GetProperty("model").GetString()).Distinct().Should().ContainSingle();
    }

    [Fact]
    public async Task Content_type_is_event_stream_utf8_and_uncached()
    {
        using var response = await server.Client.PostAsync("""{"model":"llama-8b","prompt":"Hi","max_tokens":2,"stream":true}""");

        response.Content.Headers.ContentType!.ToString().Should().Be("text/event-stream; charset=utf-8");
        response.Headers.CacheControl!.NoCache.Should().BeTrue();
    }

    [Theory]
    [InlineData(""""{"model":"llama-8b","prompt":"Hi","max_tokens":6,"stream":true}"""", false)]
    [InlineData(""""{"model":"llama-8b","prompt":"Hi","max_tokens":6,"stream":true,"stream_options":{"include_usage":false}}"""", false)]
    [InlineData(""""{"model":"llama-8b","prompt":"Hi","max_tokens":6,"stream":true,"stream_options":{}}"""", false)]
    [InlineData(""""{"model":"llama-8b","prompt":"Hi","max_tokens":6,"stream":true,"stream_options":{"include_usage":true}}"""", true)]
    public async Task Usage_chunk_comes_exactly_when_asked_for_and_last(string request, bool expected)
    {
        var transcript = await server.Client.StreamAsync(request);

        var usageChunks = transcript.Chunks.Where(c => c.GetProperty("usage").ValueKind != JsonValueKind.Null).ToList();
        usageChunks.Should().HaveCount(expected ? 1 : 0);
        transcript.ContentChunks.Should().OnlyContain(c => c.GetProperty("usage").ValueKind == JsonValueKind.Null);
        if (expected)
        {
            var last = transcript.Chunks[^1];
            last.GetProperty("choices").GetArrayLength().Should().Be(0);
            var usage = last.GetProperty("usage");
            usage.GetProperty("total_tokens").GetInt32().Should().Be(usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32());
            usage.GetProperty("completion_tokens").GetInt32().Should().Be(6);
        }
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 1)]
    [InlineData(2, 2)]
    public async Task Finish_reason_arrives_once_per_choice_on_its_last_non_empty_chunk(int n, int prompts)
    {
        var prompt = prompts == 1 ? "\"Once upon a time\"" : "[\"Once\",\"Twice\"]";
        var transcript = await server.Client.StreamAsync($$"""{"model":"llama-8b","prompt":{{prompt}},"n":{{n}},"max_tokens":25,"stream":true,"seed":11}""");

        var byChoice = transcript.ContentChunks
            .Select(c => c.GetProperty("choices")[0])
            .GroupBy(c => c.GetProperty("index").GetInt32())
            .ToList();
        byChoice.Should().HaveCount(n * prompts);
        foreach (var choice in byChoice)
        {
            var frames = choice.ToList();
            frames.SkipLast(1).Should().OnlyContain(f => f.GetProperty("finish_reason").ValueKind == JsonValueKind.Null);
            frames[^1].GetProperty("finish_reason").GetString().Should().BeOneOf("stop", "length");
            frames[^1].GetProperty("text").GetString().Should().NotBeEmpty("the final chunk carries its token, never an empty text");
        }
    }

    [Fact]
    public async Task Stop_string_on_its_own_token_moves_the_finish_onto_the_previous_token()
    {
        await using var mock = await MockLlmServer.StartAsync(WithFixture("Count:", [" one", ",", " two", ",", " three", "."]));
        using var client = Api.ClientFor(mock);

        var transcript = await client.StreamAsync("""{"model":"llama-8b","prompt":"Count:","stream":true,"stop":[", three"],"max_tokens":10,"stream_options":{"include_usage":true}}""");

        var frames = transcript.ContentChunks.Select(c => c.GetProperty("choices")[0]).ToList();
        frames.Select(f => f.GetProperty("text").GetString()).Should().Equal(" one", ",", " two");
        frames[^1].GetProperty("finish_reason").GetString().Should().Be("stop");
        frames[^1].GetProperty("stop_reason").GetString().Should().Be(", three");
        transcript.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(5, "the tokens that completed the stop string were generated");
    }

    [Fact]
    public async Task End_of_text_moves_the_finish_onto_the_last_visible_token()
    {
        await using var mock = await MockLlmServer.StartAsync(WithFixture("Say hi", [" Hi", "!"]));
        using var client = Api.ClientFor(mock);

        var transcript = await client.StreamAsync("""{"model":"llama-8b","prompt":"Say hi","stream":true,"max_tokens":10,"logprobs":1,"stream_options":{"include_usage":true}}""");

        var frames = transcript.ContentChunks.Select(c => c.GetProperty("choices")[0]).ToList();
        frames.Select(f => f.GetProperty("text").GetString()).Should().Equal(" Hi", "!");
        frames[^1].GetProperty("finish_reason").GetString().Should().Be("stop");
        frames[^1].GetProperty("stop_reason").ValueKind.Should().Be(JsonValueKind.Null, "end-of-text is not a stop string");
        frames[^1].GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(t => t.GetString())
            .Should().Equal("!", "<|end_of_text|>");
        transcript.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(3, "end-of-text is counted");
    }

    [Fact]
    public async Task A_choice_with_no_visible_text_sends_one_empty_frame_with_its_finish()
    {
        var transcript = await server.Client.StreamAsync("""{"model":"llama-8b","prompt":"x","stream":true,"max_tokens":5,"logit_bias":{"128001":100}}""");

        var frame = transcript.ContentChunks.Should().ContainSingle().Subject.GetProperty("choices")[0];
        frame.GetProperty("text").GetString().Should().BeEmpty();
        frame.GetProperty("finish_reason").GetString().Should().Be("stop");
    }

    [Theory]
    [InlineData("""{"model":"llama-8b","prompt":"The weather today","max_tokens":30,"temperature":0}""")]
    [InlineData("""{"model":"llama-8b","prompt":"The weather today","max_tokens":30,"seed":99,"n":2,"logprobs":4}""")]
    [InlineData("""{"model":"llama-8b","prompt":"The weather today","max_tokens":30,"seed":5,"stop":[" the"],"echo":true,"logprobs":2}""")]
    [InlineData("""{"model":"llama-8b","prompt":"Five reasons to learn Rust:\n1.","max_tokens":80,"logprobs":5}""")]
    public async Task Streamed_text_and_logprobs_equal_the_non_streamed_response(string request)
    {
        var (_, _, whole) = await server.Client.CompleteAsync(request);
        var transcript = await server.Client.StreamAsync(request.Replace("{", "{\"stream\":true,", StringComparison.Ordinal));

        foreach (var choice in whole.GetProperty("choices").EnumerateArray())
        {
            var index = choice.GetProperty("index").GetInt32();
            transcript.Text(index).Should().Be(choice.GetProperty("text").GetString());
            var frames = transcript.ContentChunks.Select(c => c.GetProperty("choices")[0]).Where(c => c.GetProperty("index").GetInt32() == index).ToList();
            frames[^1].GetProperty("finish_reason").GetString().Should().Be(choice.GetProperty("finish_reason").GetString());
            if (choice.GetProperty("logprobs").ValueKind == JsonValueKind.Object)
            {
                var expected = choice.GetProperty("logprobs");
                foreach (var array in new[] { "tokens", "token_logprobs", "text_offset", "top_logprobs" })
                {
                    var streamed = frames.SelectMany(f => f.GetProperty("logprobs").GetProperty(array).EnumerateArray()).Select(e => e.GetRawText());
                    streamed.Should().Equal(expected.GetProperty(array).EnumerateArray().Select(e => e.GetRawText()), array);
                }
            }
        }
    }

    [Fact]
    public async Task Frames_are_flushed_as_produced_not_buffered()
    {
        // With a clock that moves only when told to, the server is stuck in its first inter-token delay: whatever the
        // client has received by then was flushed before the stream finished.
        var clock = new WatchedTimeProvider();
        await using var mock = await MockLlmServer.StartAsync(new MockServerOptions { TokenDelay = TimeSpan.FromSeconds(1), TimeProvider = clock });
        using var client = Api.ClientFor(mock);
        using var request = Post("""{"model":"llama-8b","prompt":"Five reasons to learn Rust:\n1.","max_tokens":80,"stream":true}""");

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var first = await StreamReading.ReadUntilAsync(body, "\n\n");

        first.Should().StartWith("data: ").And.Contain("\"text\":\" It\"");

        // Each advance lands on an armed delay: the server's next frame follows, then its next delay.
        var read = new StreamReader(body).ReadToEndAsync();
        var advances = 0;
        while (await Task.WhenAny(clock.WaitForPendingAsync(1), read) != read)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            advances++;
        }

        SseTranscript.Parse(first + await read).ContentChunks.Should().HaveCount(80);
        advances.Should().Be(79, "frame k is due k inter-token latencies after the first (none before it, none after the last), and no advance was wasted");
    }

    [Fact]
    public async Task Client_disconnecting_mid_stream_stops_generation_and_leaves_the_server_healthy()
    {
        var clock = new WatchedTimeProvider();
        await using var mock = await MockLlmServer.StartAsync(new MockServerOptions { TokenDelay = TimeSpan.FromSeconds(1), TimeProvider = clock });

        // By default, disposing an unfinished response makes SocketsHttpHandler drain the rest (up to 1 MB, for up to
        // 2 s) to reuse the connection, and the server sees nothing. With no drain, disposing closes the connection.
        using var client = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(mock.BaseUrl + "/") };

        for (var attempt = 0; attempt < 3; attempt++)
        {
            using var request = Post("""{"model":"llama-8b","prompt":"A long story","max_tokens":500,"stream":true}""");
            using (var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
            {
                await using var body = await response.Content.ReadAsStreamAsync();
                (await StreamReading.ReadUntilAsync(body, "\n\n")).Should().StartWith("data: ");

                // Leave only once the server sits in its inter-token delay, so what follows proves the delay is
                // cancelled rather than never begun.
                await clock.WaitForPendingAsync(1);
            } // disposing the response without draining closes the connection mid-stream

            // The abandoned stream's delay is cancelled at once, without the clock moving: a server that kept
            // generating to max_tokens would still be waiting on it, and this would fail at the guard below.
            await clock.WaitForPendingAsync(0).WaitAsync(HangGuard);
        }

        using var health = await client.GetAsync(new Uri(mock.BaseUrl, "/health"));
        health.StatusCode.Should().Be(HttpStatusCode.OK);
        // One token: a body that is not streamed takes the whole generation time, and the first token is due at once.
        var (status, _, _) = await client.CompleteAsync("""{"model":"llama-8b","prompt":"Still here?","max_tokens":1}""");
        status.Should().Be(200);
    }

    internal static MockServerOptions WithFixture(string prompt, string[] tokens)
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(FixtureDocument.Completion(prompt, tokens));
        return options;
    }

    private static HttpRequestMessage Post(string json) =>
        new(HttpMethod.Post, "completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
