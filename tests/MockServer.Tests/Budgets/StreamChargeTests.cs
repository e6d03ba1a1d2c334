using MockServer.Budgets;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Budgets;

/// <summary>
/// What a stream is charged (issue 8): a stream read to <c>[DONE]</c> is charged its usage; a stream cut short is
/// charged the completion tokens of the frames that were sent, not those the server would have generated.
/// </summary>
public sealed class StreamChargeTests
{
    private const string Key = "sk-stream-charge-0001";

    [Fact]
    public async Task A_stream_read_to_the_end_is_charged_its_usage()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team" });
        var v1 = server.V1(Key);

        var transcript = await v1.StreamAsync(KeyedServer.Completion(stream: true).Replace("\"stream\":true", "\"stream\":true,\"stream_options\":{\"include_usage\":true}", StringComparison.Ordinal));
        var usage = transcript.Chunks[^1].GetProperty("usage");

        var charged = server.Server.Keys.Get("team");
        charged.CompletionTokens.Should().Be(usage.GetProperty("completion_tokens").GetInt32()).And.Be(KeyedServer.CompletionTokens);
        charged.PromptTokens.Should().Be(usage.GetProperty("prompt_tokens").GetInt32());
    }

    [Theory]
    [InlineData("disconnect_after=2", 2)]
    [InlineData("error_after=1", 1)]
    [InlineData("reset_after=3", 3)]
    public async Task A_stream_cut_short_is_charged_the_tokens_of_the_frames_sent(string fault, int framesSent)
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team" });
        var v1 = server.V1(Key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = new StringContent(KeyedServer.Completion(stream: true), System.Text.Encoding.UTF8, "application/json") };
        request.Headers.Add("X-Mock-Fault", fault);

        try
        {
            using var response = await v1.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            await response.Content.ReadAsStringAsync();
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // a reset may end the exchange with an error: the frames before it were sent all the same
        }

        // The charge is settled when the handler returns, which may be just after the client saw the end.
        var charged = server.Server.Keys.Get("team");
        for (var i = 0; charged.ReservedTokens > 0 && i < 100_000; i++)
        {
            await Task.Yield();
            charged = server.Server.Keys.Get("team");
        }

        charged.ReservedTokens.Should().Be(0, "the request has settled");
        charged.CompletionTokens.Should().Be(framesSent, "one scripted token per frame, and only the frames sent count");
    }

    [Fact]
    public async Task A_chat_stream_whose_tokens_show_nothing_is_charged_them_too()
    {
        // The stop string is the first token: no content chunk shows it, only the role and finish chunks are sent.
        await using var server = await KeyedServer.StartAsync(o =>
        {
            o.Keys.Add(new ApiKeyEntry(Key) { Name = "team" });
            o.Fixtures.Add(MockServer.Fixtures.FixtureDocument.Chat("Say nothing", [" one", " two"]));
        });
        var v1 = server.V1(Key);
        const string Json = """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Say nothing"}],"stop":[" one"],"max_tokens":4,"stream":true}""";

        using (var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new StringContent(Json, System.Text.Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("X-Mock-Fault", "disconnect_after=2"); // the role chunk and the finish chunk, no [DONE]
            using var response = await v1.SendAsync(request);
            (await response.Content.ReadAsStringAsync()).Should().Contain("\"finish_reason\":\"stop\"").And.NotContain("[DONE]");
        }

        server.Server.Keys.Get("team").CompletionTokens.Should().Be(1, "the token the stop string swallowed was generated and its finish sent");
    }
}
