using System.Net.Http.Json;
using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Hosting;

namespace PackageConsumer;

/// <summary>The README's in-process install example (the library alone, no fixture class).</summary>
public class InProcessTests
{
    [Fact]
    public async Task Client_gets_the_scripted_completion()
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(FixtureDocument.Completion("ping", [" pong", "!"]));
        await using var server = await MockLlmServer.StartAsync(options);     // 127.0.0.1, a free port
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl + "/") };
        var response = await http.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "ping" });

        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(" pong!", body.GetProperty("choices")[0].GetProperty("text").GetString());
    }
}
