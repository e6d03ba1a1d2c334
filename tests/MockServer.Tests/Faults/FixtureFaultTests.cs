using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Faults;

/// <summary>
/// A fixture's <c>fault</c> (the <c>X-Mock-Fault</c> syntax, parsed at load) and <c>timing</c>: a bad value stops the
/// start naming the file and JSON path; a loaded fault answers every request the fixture matches, unless the request's
/// header names another; a stream fault leaves a non-streaming request alone.
/// </summary>
public sealed class FixtureFaultTests : IAsyncLifetime
{
    private const string Faulty = """
        {"completions": [
           {"match": {"model": "llama-8b", "prompt": "Faulty"}, "tokens": [" one", " two", " three", " four", " five"], "fault": "error_after=2"}
         ],
         "chat": [
           {"match": {"user": "Busy"}, "tokens": ["No"], "fault": "status=503;retry_after=4"}
         ]}
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("mock-fixture-faults-").FullName;
    private MockLlmServer _server = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(new FixtureDocument("faulty.json", Faulty));
        _server = await MockLlmServer.StartAsync(options);
        _http = Api.ClientFor(_server);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _server.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task<(int Status, HttpResponseMessage Response, string Body)> SendAsync(string path, string json, string? fault = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        if (fault is not null)
        {
            request.Headers.TryAddWithoutValidation("X-Mock-Fault", fault);
        }

        var response = await _http.SendAsync(request);
        return ((int)response.StatusCode, response, await response.Content.ReadAsStringAsync());
    }

    private static string Completion(bool stream) => $$"""{"model":"llama-8b","prompt":"Faulty","max_tokens":10,"stream":{{(stream ? "true" : "false")}}}""";

    private static string? Applied(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Mock-Fault-Applied", out var values) ? string.Join(",", values) : null;

    [Fact]
    public async Task A_fixture_stream_fault_cuts_every_stream_it_matches()
    {
        var (status, response, body) = await SendAsync("completions", Completion(stream: true));
        using var _ = response;

        status.Should().Be(200);
        Applied(response).Should().Be("error_after=2");
        var payloads = SseTranscript.Parse(body).Payloads;
        payloads.Should().HaveCount(4, "two frames, the error event, [DONE]");
        JsonDocument.Parse(payloads[2]).RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be("model_evicted");
        payloads[3].Should().Be("[DONE]");
    }

    [Fact]
    public async Task A_fixture_stream_fault_does_not_apply_to_a_non_streaming_request()
    {
        var (status, response, body) = await SendAsync("completions", Completion(stream: false));
        using var _ = response;

        status.Should().Be(200, body);
        Applied(response).Should().BeNull("a stream fault has no frames to act on here");
        JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" one two three four five");
    }

    [Fact]
    public async Task The_request_header_wins_over_the_fixture_fault()
    {
        var (status, response, body) = await SendAsync("completions", Completion(stream: true), fault: "disconnect_after=1");
        using var _ = response;

        status.Should().Be(200);
        Applied(response).Should().Be("disconnect_after=1");
        body.Should().StartWith("data: {").And.EndWith("\n\n");
        body[..^2].Split("\n\n").Should().ContainSingle("one frame, then a clean close without [DONE]");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_fixture_status_fault_answers_streamed_or_not(bool stream)
    {
        var json = $$"""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Busy"}],"stream":{{(stream ? "true" : "false")}}}""";

        var (status, response, body) = await SendAsync("chat/completions", json);
        using var _ = response;

        status.Should().Be(503, body);
        response.Headers.RetryAfter!.Delta.Should().Be(TimeSpan.FromSeconds(4));
        Applied(response).Should().Be("status=503;retry_after=4");
        body.ShouldConformTo(Schemas.Error);
    }

    [Theory]
    [InlineData("""{"completions":[{"match":{"prompt":"a"},"tokens":["a"],"fault":"error_after=three"}]}""", "$.completions[0].fault", "error_after must be a whole number")]
    [InlineData("""{"chat":[{"match":{"user":"a"},"tokens":["a"],"fault":"explode=1"}]}""", "$.chat[0].fault", "unknown kind 'explode'")]
    [InlineData("""{"chat":[{"match":{"user":"a"},"tokens":["a"],"fault":"stall_before=2"}]}""", "$.chat[0].fault", "stall_before needs ms")]
    [InlineData("""{"models":[{"id":"m","root":"r","timing":{"itl_ms":5,"tps":10}}]}""", "$.models[0].timing", "not both")]
    [InlineData("""{"completions":[{"match":{"prompt":"a"},"tokens":["a"],"timing":{"jitter":1.5}}]}""", "$.completions[0].timing.jitter", "too large")]
    [InlineData("""{"chat":[{"match":{"user":"a"},"tokens":["a"],"timing":{"ttft":5}}]}""", "$.chat[0].timing", "'ttft' is not allowed")]
    [InlineData("""{"completions":[{"match":{"prompt":"a"},"tokens":["a"],"fault":""}]}""", "$.completions[0].fault", "StringTooShort")]
    public async Task A_bad_fixture_fault_or_timing_stops_the_start_naming_file_and_path(string json, string path, string reason)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "broken.json"), json);

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });

        var message = (await start.Should().ThrowAsync<FixtureLoadException>()).Which.Message;
        message.Should().StartWith("Fixture 'broken.json'").And.Contain(" at " + path).And.Contain(reason).And.Contain("(line 1, position");
    }
}
