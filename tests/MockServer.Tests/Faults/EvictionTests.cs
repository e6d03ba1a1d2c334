using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Faults;

/// <summary>
/// Evicting a model (issue 8, "a stream interrupted by … eviction (through the admin route)"): each of its streams in
/// flight ends after the frame it is producing with <c>data: {"error": …}</c> then <c>data: [DONE]</c> (spec-facts §4.6,
/// §11 item 5), and a cold model is cold again: its next request gets 503 with <c>Retry-After</c>. Streams are held
/// between frames on a fake clock the test owns, so the eviction lands mid-stream without any sleep.
/// </summary>
public sealed class EvictionTests
{
    private const string Models = """
        {"models": [
          {"id": "cold-base", "root": "meta-llama/Llama-3.1-8B", "cold": {"boot_seconds": 10}},
          {"id": "cold-chat", "root": "meta-llama/Llama-3.1-8B-Instruct", "chat_template": "llama3", "cold": {"boot_seconds": 10}}
        ]}
        """;

    public static TheoryData<string, string> Cases => new()
    {
        { "completions", "cold-base" },
        { "chat/completions", "cold-chat" },
    };

    private static async Task<(MockLlmServer Server, HttpClient Http, WatchedTimeProvider Clock)> StartAsync(TimeSpan tokenDelay = default)
    {
        var clock = new WatchedTimeProvider();
        var options = new MockServerOptions { TimeProvider = clock, EnableAdmin = true, TokenDelay = tokenDelay };
        options.Fixtures.Add(new FixtureDocument("cold-models.json", Models));
        var server = await MockLlmServer.StartAsync(options);
        return (server, Api.ClientFor(server), clock);
    }

    private static HttpRequestMessage Request(string path, string model, string? fault = null)
    {
        var json = path == "completions"
            ? $$"""{"model":"{{model}}","prompt":"Hello","max_tokens":12,"seed":1,"stream":true}"""
            : $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello"}],"max_tokens":12,"seed":1,"stream":true}""";
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (fault is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Mock-Fault", fault);
        }

        return request;
    }

    /// <summary>Boots the cold model: its first request gets 503 and starts a 10 s boot, which the clock then runs through.</summary>
    private static async Task BootAsync(HttpClient http, WatchedTimeProvider clock, string path, string model)
    {
        using var request = Request(path, model);
        using var refused = await http.SendAsync(request);
        ((int)refused.StatusCode).Should().Be(503);
        clock.Advance(TimeSpan.FromSeconds(10));
    }

    private static async Task<HttpResponseMessage> EvictAsync(HttpClient http, string model) =>
        await http.PostAsync(new Uri(http.BaseAddress!, $"/admin/models/{model}/evict"), null);

    /// <summary>
    /// Reads the stream to its end. The guard is against a hang, not a timing assertion: a stream the eviction failed to
    /// end waits on the fake clock between frames for ever, and the test must fail rather than hang.
    /// </summary>
    private static async Task<string> ReadRestAsync(StreamReader reader)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            return await reader.ReadToEndAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            throw new InvalidOperationException("The stream did not end after the eviction.");
        }
    }

    /// <summary>The rest of a stream after its first frame was read: the frames, then the error event and [DONE].</summary>
    private static void ShouldEndWithTheEvictionError(string rest, string model)
    {
        var payloads = SseTranscript.Parse(rest).Payloads;
        payloads.Count.Should().BeInRange(2, 3, "at most the frame in production, then the error event and [DONE]");
        var error = JsonDocument.Parse(payloads[^2]).RootElement.GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("model_evicted");
        error.GetProperty("type").GetString().Should().Be("server_error");
        error.GetProperty("message").GetString().Should().Contain($"'{model}'").And.Contain("admin route")
            .And.Contain("restarting", "every model these cases evict is declared cold, so it boots again");
        payloads[^2].ShouldConformTo(Schemas.Error);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task The_admin_route_ends_streams_in_flight_with_an_error_event_and_DONE_and_the_model_is_cold_again(string path, string model)
    {
        var (server, http, clock) = await StartAsync(tokenDelay: TimeSpan.FromSeconds(1));
        await using var _s = server;
        using var _h = http;
        await BootAsync(http, clock, path, model);

        using var request = Request(path, model);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        ((int)response.StatusCode).Should().Be(200);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        // Chat's role chunk is due with the first token, as is the first content chunk: both come before the first wait.
        for (var frame = 0; frame < (path == "completions" ? 1 : 2); frame++)
        {
            (await reader.ReadLineAsync()).Should().StartWith("data: {");
            (await reader.ReadLineAsync()).Should().BeEmpty();
        }

        await clock.WaitForPendingAsync(1); // the stream waits between frames

        using (var evicted = await EvictAsync(http, model))
        {
            ((int)evicted.StatusCode).Should().Be(200);
            var result = JsonDocument.Parse(await evicted.Content.ReadAsStringAsync()).RootElement;
            result.GetProperty("model").GetString().Should().Be(model);
            result.GetProperty("streams_ended").GetInt32().Should().Be(1);
            result.GetProperty("cold").GetBoolean().Should().BeTrue();
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        ShouldEndWithTheEvictionError(await ReadRestAsync(reader), model);

        using var next = Request(path, model);
        using var afterwards = await http.SendAsync(next);
        ((int)afterwards.StatusCode).Should().Be(503, "the evicted model boots again");
        afterwards.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task In_process_eviction_ends_a_stalled_stream_too()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;
        await BootAsync(http, clock, "completions", "cold-base");

        using var request = Request("completions", "cold-base", fault: "stall_before=2;ms=1000");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        (await reader.ReadLineAsync()).Should().StartWith("data: {");
        (await reader.ReadLineAsync()).Should().BeEmpty();
        await clock.WaitForPendingAsync(1);

        server.Evict("cold-base").Should().Be(new ModelEvictionResult("cold-base", 1, Cold: true));
        server.Evict("cold-base").StreamsEnded.Should().Be(0, "the stream was told already");

        clock.Advance(TimeSpan.FromSeconds(1));
        ShouldEndWithTheEvictionError(await ReadRestAsync(reader), "cold-base");
    }

    [Fact]
    public async Task An_eviction_during_a_long_wait_for_the_first_token_ends_the_stream_at_once()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;

        // Twenty seconds to the first token on a clock the test never moves: only the eviction can end this wait.
        using var request = Request("completions", "llama-8b");
        request.Headers.Add("X-Mock-Timing", "ttft_ms=20000");
        var send = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        (await Task.WhenAny(clock.WaitForPendingAsync(1), send)).Should().NotBeSameAs(send);
        server.Evict("llama-8b").StreamsEnded.Should().Be(1);

        using var response = await send;
        response.Headers.GetValues("X-Mock-Fault-Applied").Should().Equal("evicted");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var payloads = SseTranscript.Parse(await ReadRestAsync(reader)).Payloads;
        payloads.Should().HaveCount(2, "no frame was due yet: the error event, then [DONE]");
        payloads[0].Should().Contain("model_evicted").And.NotContain("restarting", "llama-8b is always warm");
        clock.Pending.Should().Be(0, "the wait was cancelled, not left armed");
    }

    [Fact]
    public async Task A_stream_evicted_before_its_first_byte_says_so_in_a_header()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;

        // Held before its first frame leaves, so not even the status line has been sent when the eviction comes.
        using var request = Request("completions", "llama-8b", fault: "stall_before=1;ms=1000");
        var send = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        (await Task.WhenAny(clock.WaitForPendingAsync(1), send)).Should().NotBeSameAs(send);
        server.Evict("llama-8b").StreamsEnded.Should().Be(1);
        clock.Advance(TimeSpan.FromSeconds(1));

        using var response = await send;
        response.Headers.GetValues("X-Mock-Fault-Applied").Should().Equal("stall_before=1;ms=1000", "evicted");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var payloads = SseTranscript.Parse(await ReadRestAsync(reader)).Payloads;
        payloads.Should().HaveCount(3, "the frame in production, the error event, [DONE]");
        payloads[1].Should().Contain("model_evicted");
    }

    [Fact]
    public async Task A_warm_model_keeps_serving_and_an_unknown_model_is_a_404()
    {
        var (server, http, _) = await StartAsync();
        await using var _s = server;
        using var _h = http;

        server.Evict("llama-8b").Should().Be(new ModelEvictionResult("llama-8b", 0, Cold: false));
        var unknown = () => server.Evict("nope");
        unknown.Should().Throw<ArgumentException>();

        using var response = await EvictAsync(http, "nope");
        ((int)response.StatusCode).Should().Be(404);
        var body = await response.Content.ReadAsStringAsync();
        body.ShouldConformTo(Schemas.Error);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("model_not_found");

        using var wrongVerb = await http.PostAsync(new Uri(http.BaseAddress!, "/admin/models/llama-8b/restart"), null);
        ((int)wrongVerb.StatusCode).Should().Be(404);
    }
}
