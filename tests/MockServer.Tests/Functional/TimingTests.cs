using System.Text;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Functional;

/// <summary>
/// The timing model on the injected clock (issue 8): with a fake clock a test receives each frame exactly when it
/// advances the clock to the frame's due time (time to first token, prefill per prompt token, inter-token latency),
/// and a body that is not streamed arrives after the whole generation time.
/// </summary>
public sealed class TimingTests
{
    /// <summary>Fails a test that would otherwise hang; never reached when the behaviour holds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    private static readonly string[] Tokens = [" one", " two", " three", " four"];

    [Fact]
    public async Task Each_streamed_frame_arrives_exactly_when_the_clock_reaches_its_due_time()
    {
        var clock = new WatchedTimeProvider();
        await using var mock = await StartAsync(clock, new StreamTiming { TimeToFirstToken = TimeSpan.FromSeconds(2), InterTokenLatency = TimeSpan.FromMilliseconds(500) });
        using var client = Api.ClientFor(mock);

        var send = client.SendAsync(Post("completions", """{"model":"llama-8b","prompt":"Count:","max_tokens":4,"stream":true}"""), HttpCompletionOption.ResponseHeadersRead);
        await ArriveAtAsync(clock, TimeSpan.FromSeconds(2), send);
        using var response = await send;
        await using var body = await response.Content.ReadAsStreamAsync();
        (await StreamReading.ReadUntilAsync(body, "\n\n")).Should().Contain("\"text\":\" one\"");

        foreach (var text in Tokens[1..])
        {
            var frame = StreamReading.ReadUntilAsync(body, "\n\n");
            await ArriveAtAsync(clock, TimeSpan.FromMilliseconds(500), frame);
            (await frame).Should().Contain($"\"text\":\"{text}\"");
        }

        (await new StreamReader(body).ReadToEndAsync().WaitAsync(HangGuard)).Should().Be("data: [DONE]\n\n", "nothing waits after the last token");
    }

    [Fact]
    public async Task A_body_that_is_not_streamed_takes_the_whole_generation_time()
    {
        var clock = new WatchedTimeProvider();
        await using var mock = await StartAsync(clock, new StreamTiming { TimeToFirstToken = TimeSpan.FromSeconds(1), TokensPerSecond = 10 });
        using var client = Api.ClientFor(mock);

        var send = client.SendAsync(Post("completions", """{"model":"llama-8b","prompt":"Count:","max_tokens":4}"""));

        // Four tokens: the first at 1 s, then three of 100 ms.
        await ArriveAtAsync(clock, TimeSpan.FromMilliseconds(1300), send);
        using var response = await send;
        ((int)response.StatusCode).Should().Be(200);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"text\":\" one two three four\"");
    }

    [Fact]
    public async Task Chat_sends_its_role_chunk_with_the_first_token_and_paces_the_rest()
    {
        var clock = new WatchedTimeProvider();
        await using var mock = await StartAsync(clock, new StreamTiming { TimeToFirstToken = TimeSpan.FromMilliseconds(800), InterTokenLatency = TimeSpan.FromMilliseconds(250) });
        using var client = Api.ClientFor(mock);

        var send = client.SendAsync(
            Post("chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Count:"}],"max_tokens":4,"stream":true}"""),
            HttpCompletionOption.ResponseHeadersRead);
        await ArriveAtAsync(clock, TimeSpan.FromMilliseconds(800), send);
        using var response = await send;
        await using var body = await response.Content.ReadAsStreamAsync();
        (await StreamReading.ReadUntilAsync(body, "\n\n")).Should().Contain("\"role\":\"assistant\"");
        (await StreamReading.ReadUntilAsync(body, "\n\n")).Should().Contain("\"content\":\" one\"");

        var second = StreamReading.ReadUntilAsync(body, "\n\n");
        await ArriveAtAsync(clock, TimeSpan.FromMilliseconds(250), second);
        (await second).Should().Contain("\"content\":\" two\"");
    }

    [Fact]
    public async Task Prefill_adds_its_cost_per_prompt_token_to_the_time_to_first_token()
    {
        const string Request = """{"model":"llama-8b","prompt":"Count:","max_tokens":1}""";
        int promptTokens;
        await using (var plain = await MockLlmServer.StartAsync())
        {
            using var plainClient = Api.ClientFor(plain);
            promptTokens = (await plainClient.CompleteAsync(Request)).Json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32();
        }

        var clock = new WatchedTimeProvider();
        await using var mock = await StartAsync(clock, new StreamTiming { TimeToFirstToken = TimeSpan.FromMilliseconds(100), PrefillPerPromptToken = TimeSpan.FromMilliseconds(40) });
        using var client = Api.ClientFor(mock);

        var send = client.SendAsync(Post("completions", Request));
        await ArriveAtAsync(clock, TimeSpan.FromMilliseconds(100 + (40 * promptTokens)), send);
        ((int)(await send).StatusCode).Should().Be(200);
    }

    [Fact]
    public async Task A_request_header_and_a_fixture_timing_pace_the_stream_over_the_servers_timing()
    {
        var clock = new WatchedTimeProvider();
        var options = new MockServerOptions { TimeProvider = clock, Timing = new StreamTiming { TimeToFirstToken = TimeSpan.FromSeconds(5), InterTokenLatency = TimeSpan.FromSeconds(5) } };
        options.Fixtures.Add(new FixtureDocument("paced.json", """
            {"completions": [{"match": {"model": "llama-8b", "prompt": "Paced:"}, "tokens": [" a", " b", " c"], "timing": {"itl_ms": 250}}]}
            """));
        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        // The header names the time to first token; the fixture the inter-token latency; the server's fill nothing else.
        using var request = Post("completions", """{"model":"llama-8b","prompt":"Paced:","max_tokens":3,"stream":true}""");
        request.Headers.Add("X-Mock-Timing", "ttft_ms=400");
        var send = client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await ArriveAtAsync(clock, TimeSpan.FromMilliseconds(400), send);
        using var response = await send;
        await using var body = await response.Content.ReadAsStreamAsync();
        (await StreamReading.ReadUntilAsync(body, "\n\n")).Should().Contain("\"text\":\" a\"");

        var second = StreamReading.ReadUntilAsync(body, "\n\n");
        await ArriveAtAsync(clock, TimeSpan.FromMilliseconds(250), second);
        (await second).Should().Contain("\"text\":\" b\"");
    }

    /// <summary>
    /// Moves the clock to one tick before <paramref name="due"/> (from now) and checks the server is still waiting
    /// on its timer, then one tick more and checks that <paramref name="arrival"/> completes.
    /// </summary>
    private static async Task ArriveAtAsync(WatchedTimeProvider clock, TimeSpan due, Task arrival)
    {
        await clock.WaitForPendingAsync(1).WaitAsync(HangGuard);
        clock.Advance(due - Tick);
        clock.Pending.Should().Be(1, "the server still waits one tick before the due time");
        arrival.IsCompleted.Should().BeFalse("nothing is sent before it is due");

        // Timers fire inside Advance, so the server's continuation runs on the advancing thread: a pool thread, not
        // the test's synchronization context, which the server's own awaits must not capture.
        await Task.Run(() => clock.Advance(Tick));
        await arrival.WaitAsync(HangGuard);
    }

    private static Task<MockLlmServer> StartAsync(WatchedTimeProvider clock, StreamTiming timing)
    {
        var options = new MockServerOptions { TimeProvider = clock, Timing = timing };
        options.Fixtures.Add(FixtureDocument.Completion("Count:", Tokens));
        options.Fixtures.Add(FixtureDocument.Chat("Count:", Tokens));
        return MockLlmServer.StartAsync(options);
    }

    private static HttpRequestMessage Post(string path, string json) =>
        new(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
}
