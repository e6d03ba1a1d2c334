using System.ClientModel;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;
using OpenAI;
using OpenAI.Chat;

#pragma warning disable OPENAI001 // Seed is experimental in the SDK

namespace MockServer.Tests.Functional;

/// <summary>
/// Faults asked for in the <c>X-Mock-Fault</c> request header (issue 8, "Faults, reproducible"), on completions and
/// chat alike: each kind acts at the exact frame asked for, says so in <c>X-Mock-Fault-Applied</c>, and a bad value
/// is a 400 naming the header. Frames are the <c>data: {json}</c> events; <c>[DONE]</c> is not one.
/// </summary>
public sealed class FaultHeaderTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private const string Header = "X-Mock-Fault";
    private const string Applied = "X-Mock-Fault-Applied";

    public static TheoryData<string> Paths => ["completions", "chat/completions"];

    private static string Body(string path, bool stream = true) => path == "completions"
        ? $$"""{"model":"llama-8b","prompt":"Hello","max_tokens":8,"seed":1,"stream":{{(stream ? "true" : "false")}}}"""
        : $$"""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hello"}],"max_tokens":8,"seed":1,"stream":{{(stream ? "true" : "false")}}}""";

    private static HttpRequestMessage Request(string path, string? fault, bool stream = true)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(Body(path, stream), Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (fault is not null)
        {
            request.Headers.TryAddWithoutValidation(Header, fault);
        }

        return request;
    }

    private async Task<(int Status, HttpResponseMessage Response, string Body)> SendAsync(string path, string? fault, bool stream = true)
    {
        using var request = Request(path, fault, stream);
        var response = await server.Client.SendAsync(request);
        return ((int)response.StatusCode, response, await response.Content.ReadAsStringAsync());
    }

    private static string? HeaderOf(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    /// <summary>The payloads of every <c>data: …\n\n</c> event, in order.</summary>
    private static List<string> Payloads(string raw)
    {
        raw.Should().EndWith("\n\n");
        var events = raw[..^2].Split("\n\n");
        events.Should().OnlyContain(e => e.StartsWith("data: ", StringComparison.Ordinal));
        return [.. events.Select(e => e[6..])];
    }

    /// <summary>A payload without its <c>id</c>, which differs per request even with a seed.</summary>
    /// <summary>A payload without what differs between two answers to one request: the id, and <c>created</c> (the real clock may tick between them).</summary>
    private static string WithoutId(string payload) =>
        System.Text.RegularExpressions.Regex.Replace(payload, "\"id\":\"[^\"]+\"|\"created\":\\d+", m => m.Value.StartsWith("\"id\"", StringComparison.Ordinal) ? "\"id\":\"\"" : "\"created\":0");

    private static List<string> WithoutIds(IEnumerable<string> payloads) => [.. payloads.Select(WithoutId)];

    private async Task<List<string>> CleanPayloadsAsync(string path)
    {
        var (status, response, body) = await SendAsync(path, null);
        using var _ = response;
        status.Should().Be(200, body);
        HeaderOf(response, Applied).Should().BeNull("no fault was asked for");
        return WithoutIds(Payloads(body));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Error_after_sends_N_frames_then_an_error_event_and_DONE(string path)
    {
        var clean = await CleanPayloadsAsync(path);
        clean.Count.Should().BeGreaterThan(4, "the fault must cut the stream short");

        var (status, response, body) = await SendAsync(path, "error_after=3");
        using var _ = response;

        status.Should().Be(200);
        HeaderOf(response, Applied).Should().Be("error_after=3");
        var payloads = Payloads(body);
        payloads.Should().HaveCount(5);
        WithoutIds(payloads.Take(3)).Should().Equal(clean.Take(3), "the frames before the fault are the stream's own");
        payloads[4].Should().Be("[DONE]");
        payloads[3].ShouldConformTo(Schemas.Error);
        var error = JsonDocument.Parse(payloads[3]).RootElement.GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("model_evicted");
        error.GetProperty("type").GetString().Should().Be("server_error");
        error.GetProperty("message").GetString().Should().Contain("evicted")
            .And.NotContain("restarting", "an injected error_after leaves the model warm: a retry is served at once");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Disconnect_after_sends_N_frames_and_closes_without_DONE(string path)
    {
        var clean = await CleanPayloadsAsync(path);

        var (status, response, body) = await SendAsync(path, "disconnect_after=2");
        using var _ = response;

        status.Should().Be(200);
        HeaderOf(response, Applied).Should().Be("disconnect_after=2");
        WithoutIds(Payloads(body)).Should().Equal(clean.Take(2), "two frames, then the body ends cleanly: no error, no [DONE]");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Reset_after_sends_N_frames_then_aborts_the_connection(string path)
    {
        var clean = await CleanPayloadsAsync(path);
        var received = new List<string>();
        var read = async () =>
        {
            using var request = Request(path, "reset_after=2");
            using var response = await server.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            HeaderOf(response, Applied).Should().Be("reset_after=2");
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            while (await reader.ReadLineAsync() is { } line)
            {
                if (line.Length > 0)
                {
                    received.Add(WithoutId(line[6..]));
                }
            }
        };

        // The server sends two frames and then aborts; a TCP reset may overtake frames the client has not read yet
        // (even the headers), so the client sees at most those two frames, never [DONE], and always a failed read.
        var thrown = await read.Should().ThrowAsync<Exception>("an aborted body is not a clean end");
        thrown.Which.Should().Match<Exception>(e => e is IOException || e.InnerException is IOException, thrown.Which.ToString());
        received.Should().HaveCountLessThanOrEqualTo(2);
        received.Should().Equal(clean.Take(received.Count));
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Malformed_at_replaces_frame_N_with_invalid_JSON_and_the_stream_goes_on(string path)
    {
        var clean = await CleanPayloadsAsync(path);

        var (status, response, body) = await SendAsync(path, "malformed_at=2");
        using var _ = response;

        status.Should().Be(200);
        HeaderOf(response, Applied).Should().Be("malformed_at=2");
        var payloads = Payloads(body);
        payloads.Should().HaveCount(clean.Count);
        payloads[1].Should().Be("{not json");
        var parse = () => JsonDocument.Parse(payloads[1]);
        parse.Should().Throw<JsonException>();
        WithoutIds(payloads.Where((_, i) => i != 1)).Should().Equal(clean.Where((_, i) => i != 1), "every other frame is the stream's own, [DONE] included");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Stall_before_holds_frame_N_until_the_clock_advances(string path)
    {
        var clock = new WatchedTimeProvider();
        await using var stalled = await MockLlmServer.StartAsync(new MockServerOptions { TimeProvider = clock });
        using var http = Api.ClientFor(stalled);
        using var request = Request(path, "stall_before=3;ms=500");
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        HeaderOf(response, Applied).Should().Be("stall_before=3;ms=500");
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        for (var frame = 1; frame <= 2; frame++)
        {
            (await reader.ReadLineAsync()).Should().StartWith("data: {");
            (await reader.ReadLineAsync()).Should().BeEmpty();
        }

        // The server waits on the clock before frame 3; if it did not, frame 3 would win this race.
        var third = reader.ReadLineAsync();
        (await Task.WhenAny(clock.WaitForPendingAsync(1), third)).Should().NotBeSameAs(third, "frame 3 must wait for the clock");
        clock.Advance(TimeSpan.FromMilliseconds(499));
        clock.Pending.Should().Be(1, "1 ms of the stall remains");
        third.IsCompleted.Should().BeFalse("frame 3 is held until the stall ends");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        (await third).Should().StartWith("data: {");
        var rest = await reader.ReadToEndAsync();
        rest.Should().EndWith("data: [DONE]\n\n", "the stream goes on after the stall");
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task Status_answers_the_error_before_any_byte_with_Retry_After_when_asked(string path)
    {
        var (status, response, body) = await SendAsync(path, "status=503;retry_after=7");
        using (response)
        {
            status.Should().Be(503);
            HeaderOf(response, "Retry-After").Should().Be("7");
            HeaderOf(response, Applied).Should().Be("status=503;retry_after=7");
            body.ShouldConformTo(Schemas.Error);
            JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("type").GetString().Should().Be("server_error");
        }

        var (status429, response429, body429) = await SendAsync(path, "status=429", stream: false);
        using (response429)
        {
            status429.Should().Be(429);
            HeaderOf(response429, "Retry-After").Should().BeNull("not asked for");
            HeaderOf(response429, Applied).Should().Be("status=429");
            JsonDocument.Parse(body429).RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("rate_limit_exceeded");
        }
    }

    [Theory]
    [InlineData("completions", "explode=1")]
    [InlineData("completions", "error_after=0")]
    [InlineData("completions", "error_after=three")]
    [InlineData("completions", "error_after=-1")]
    [InlineData("completions", "status=200")]
    [InlineData("completions", "status=503;retry_after=soon")]
    [InlineData("completions", "status=500;frames=2")]
    [InlineData("chat/completions", "stall_before=2")]
    [InlineData("chat/completions", "error_after=2;error_after=3")]
    [InlineData("chat/completions", "error_after")]
    [InlineData("chat/completions", "")]
    public async Task A_bad_header_value_is_a_400_naming_the_header(string path, string fault)
    {
        var (status, response, body) = await SendAsync(path, fault);
        using var _ = response;

        status.Should().Be(400, body);
        HeaderOf(response, Applied).Should().BeNull();
        body.ShouldConformTo(Schemas.Error);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        error.GetProperty("param").GetString().Should().Be(Header);
        error.GetProperty("message").GetString().Should().Contain(Header);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public async Task A_stream_fault_on_a_non_streaming_request_is_a_400(string path)
    {
        var (status, response, body) = await SendAsync(path, "error_after=2", stream: false);
        using var _ = response;

        status.Should().Be(400, body);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        error.GetProperty("param").GetString().Should().Be(Header);
        error.GetProperty("message").GetString().Should().Contain("stream");
    }

    /// <summary>
    /// What the official OpenAI .NET SDK (2.15) does with <c>data: {"error": …}</c> in a chat stream: it does NOT raise
    /// (unlike the Python SDK, spec-facts §4.6). It deserializes the event as one more update with no id, no content
    /// and no finish reason, then ends at <c>[DONE]</c> as if the stream were complete. A .NET client has to notice
    /// the missing finish reason itself; this test keeps that finding true for the SDK version we pin.
    /// </summary>
    [Fact]
    public async Task The_OpenAI_SDK_does_not_raise_on_the_error_event_and_yields_an_empty_update()
    {
        var options = new OpenAIClientOptions { Endpoint = server.BaseUrl };
        options.AddPolicy(new FaultHeaderPolicy("error_after=3"), System.ClientModel.Primitives.PipelinePosition.PerCall);
        var chat = new ChatClient("llama-8b-instruct", new ApiKeyCredential("unused"), options);

        var updates = new List<StreamingChatCompletionUpdate>();
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 8, Seed = 1 }))
        {
            updates.Add(update);
        }

        updates.Should().HaveCount(4, "three frames, then the error event read as an update");
        updates.Take(3).Should().OnlyContain(u => u.CompletionId.StartsWith("chatcmpl-", StringComparison.Ordinal));
        updates[3].CompletionId.Should().BeNullOrEmpty();
        updates[3].ContentUpdate.Should().BeEmpty();
        updates.Should().OnlyContain(u => u.FinishReason == null, "no finish reason ever arrives: the only sign of the cut");
    }

    /// <summary>Adds the fault header to every request the SDK sends.</summary>
    private sealed class FaultHeaderPolicy(string fault) : System.ClientModel.Primitives.PipelinePolicy
    {
        public override void Process(System.ClientModel.Primitives.PipelineMessage message, IReadOnlyList<System.ClientModel.Primitives.PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(Header, fault);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(System.ClientModel.Primitives.PipelineMessage message, IReadOnlyList<System.ClientModel.Primitives.PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(Header, fault);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
