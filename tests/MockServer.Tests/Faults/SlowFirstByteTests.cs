using System.Net.Http.Headers;
using System.Text;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Faults;

/// <summary>
/// The <c>slow_first_byte=MS</c> fault (issue 8, "a slow first byte"): nothing of the response, not even its status
/// line, leaves before the injected clock has advanced by MS; then the answer is the usual one, streamed or not, and
/// says <c>X-Mock-Fault-Applied</c>. No sleeps: the test owns the clock.
/// </summary>
public sealed class SlowFirstByteTests
{
    public static TheoryData<string, bool> Cases => new()
    {
        { "completions", true },
        { "completions", false },
        { "chat/completions", true },
        { "chat/completions", false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Nothing_is_sent_until_the_clock_has_advanced_by_the_wait(string path, bool stream)
    {
        var clock = new WatchedTimeProvider();
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { TimeProvider = clock });
        using var http = Api.ClientFor(server);
        var json = path == "completions"
            ? $$"""{"model":"llama-8b","prompt":"Hello","max_tokens":4,"seed":1,"stream":{{(stream ? "true" : "false")}}}"""
            : $$"""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hello"}],"max_tokens":4,"seed":1,"stream":{{(stream ? "true" : "false")}}}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("X-Mock-Fault", "slow_first_byte=500");

        var send = http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        // The server waits on the clock before its first byte; if it did not, the response would win this race.
        (await Task.WhenAny(clock.WaitForPendingAsync(1), send)).Should().NotBeSameAs(send, "the response must wait for the clock");
        clock.Advance(TimeSpan.FromMilliseconds(499));
        clock.Pending.Should().Be(1, "1 ms of the wait remains");
        send.IsCompleted.Should().BeFalse("not even the status line has been sent");

        clock.Advance(TimeSpan.FromMilliseconds(1));
        using var response = await send;
        ((int)response.StatusCode).Should().Be(200);
        response.Headers.GetValues("X-Mock-Fault-Applied").Should().Equal("slow_first_byte=500");
        var body = await response.Content.ReadAsStringAsync();
        if (stream)
        {
            SseTranscript.Parse(body).Payloads[^1].Should().Be("[DONE]");
        }
        else
        {
            body.Should().Contain("\"choices\"");
        }
    }

    [Theory]
    [InlineData("slow_first_byte=soon")]
    [InlineData("slow_first_byte=3600001")]
    [InlineData("slow_first_byte=5;ms=5")]
    public async Task A_bad_wait_is_a_400_naming_the_fault_header(string fault)
    {
        await using var server = await MockLlmServer.StartAsync();
        using var http = Api.ClientFor(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions")
        {
            Content = new StringContent("""{"model":"llama-8b","prompt":"Hello","max_tokens":2}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("X-Mock-Fault", fault);

        using var response = await http.SendAsync(request);

        ((int)response.StatusCode).Should().Be(400);
        (await response.Content.ReadAsStringAsync()).Should().Contain("\"param\":\"X-Mock-Fault\"");
    }
}
