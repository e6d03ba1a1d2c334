using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Hosting;

namespace MockServer.Tests;

/// <summary>The README's in-process example, verbatim; if this changes, change the README too.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public async Task Client_gets_the_scripted_completion()
    {
        var options = new MockServerOptions();                      // embedded defaults, no authentication
        options.Fixtures.Add(FixtureDocument.Completion("ping", [" pong", "!"]));
        options.ApiKeys.Add("test-key");                            // optional: require a bearer key
        await using var server = await MockLlmServer.StartAsync(options);

        // server.BaseUrl is http://127.0.0.1:PORT/v1: give it to your client as its base URL.
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "test-key");
        using var response = await http.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "ping", max_tokens = 5 });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(" pong!", body.GetProperty("choices")[0].GetProperty("text").GetString());
        Assert.Equal("stop", body.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
    }
}
