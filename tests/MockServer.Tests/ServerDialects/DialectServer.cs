using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.ServerDialects;

/// <summary>A mock started in one dialect (<c>--profile</c>), or with fixtures declaring models in theirs, and its raw answers.</summary>
internal sealed class DialectServer : IAsyncDisposable
{
    private readonly MockLlmServer _server;

    private DialectServer(MockLlmServer server)
    {
        _server = server;
        Client = Api.ClientFor(server);
    }

    public HttpClient Client { get; }

    public static async Task<DialectServer> StartAsync(string? profile, params FixtureDocument[] fixtures)
    {
        var options = new MockServerOptions { Profile = profile };
        foreach (var fixture in fixtures)
        {
            options.Fixtures.Add(fixture);
        }

        return new DialectServer(await MockLlmServer.StartAsync(options));
    }

    /// <summary>POSTs <paramref name="body"/> as sent, to <c>completions</c> or <c>chat/completions</c>.</summary>
    public async Task<(int Status, string Body)> PostAsync(string path, string body, string contentType = "application/json", string? fault = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        if (fault is not null)
        {
            request.Headers.Add("X-Mock-Fault", fault);
        }

        using var response = await Client.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A 200 JSON answer, parsed.</summary>
    public async Task<JsonElement> OkAsync(string path, string body)
    {
        var (status, text) = await PostAsync(path, body);
        status.Should().Be(200, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>An error answer of <paramref name="status"/>: its <c>error</c> object.</summary>
    public async Task<JsonElement> ErrorAsync(string path, string body, int status, string contentType = "application/json")
    {
        var (actual, text) = await PostAsync(path, body, contentType);
        actual.Should().Be(status, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("error").Clone();
    }

    /// <summary>A 200 stream, read strictly.</summary>
    public async Task<SseTranscript> StreamAsync(string path, string body, string? fault = null)
    {
        var (status, text) = await PostAsync(path, body, fault: fault);
        status.Should().Be(200, text);
        return SseTranscript.Parse(text);
    }

    /// <summary>The first model <c>/v1/models?metadata=true</c> lists as serving <paramref name="endpoint"/>: the one a dialect without model names answers with.</summary>
    public async Task<string> FirstServingAsync(string endpoint)
    {
        var list = JsonDocument.Parse(await Client.GetStringAsync("models?metadata=true")).RootElement;
        return list.GetProperty("data").EnumerateArray()
            .First(card => card.GetProperty("metadata").GetProperty("endpoints").EnumerateArray().Any(e => e.GetString() == endpoint))
            .GetProperty("id").GetString()!;
    }

    /// <summary>Whether <paramref name="json"/> has the key (usable inside an assertion's expression).</summary>
    public static bool Has(JsonElement json, string key) => json.TryGetProperty(key, out var _);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _server.DisposeAsync();
    }
}
