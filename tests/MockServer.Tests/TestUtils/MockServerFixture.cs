using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Hosting;

namespace MockServer.Tests.TestUtils;

/// <summary>One mock server on 127.0.0.1 with the default fixtures, shared by a test class.</summary>
public sealed class MockServerFixture : IAsyncLifetime
{
    private MockLlmServer? _server;

    public HttpClient Client { get; private set; } = null!;

    public Uri BaseUrl => _server!.BaseUrl;

    public async Task InitializeAsync()
    {
        _server = await MockLlmServer.StartAsync();
        Client = Api.ClientFor(_server);
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await _server!.DisposeAsync();
    }
}

/// <summary>Small HTTP helpers shared by the tests.</summary>
internal static class Api
{
    public static HttpClient ClientFor(MockLlmServer server) =>
        new() { BaseAddress = new Uri(server.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };

    public static Task<HttpResponseMessage> PostAsync(this HttpClient client, string json, string contentType = "application/json")
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return client.PostAsync("completions", content);
    }

    public static async Task<(int Status, string Body, JsonElement Json)> CompleteAsync(this HttpClient client, string json)
    {
        using var response = await client.PostAsync(json);
        var body = await response.Content.ReadAsStringAsync();
        return ((int)response.StatusCode, body, JsonDocument.Parse(body).RootElement.Clone());
    }

    public static async Task<SseTranscript> StreamAsync(this HttpClient client, string json)
    {
        using var response = await client.PostAsync(json);
        ((int)response.StatusCode).Should().Be(200, await Peek(response));
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        return await SseTranscript.ReadAsync(response);
    }

    /// <summary>The error envelope of a failed request, after checking the status and the schema.</summary>
    public static async Task<JsonElement> ErrorAsync(this HttpClient client, string json, int status = 400)
    {
        var (actual, body, parsed) = await client.CompleteAsync(json);
        actual.Should().Be(status, body);
        body.ShouldConformTo(Schemas.Error);
        return parsed.GetProperty("error");
    }

    private static async Task<string> Peek(HttpResponseMessage response) =>
        response.IsSuccessStatusCode ? "" : await response.Content.ReadAsStringAsync();
}
