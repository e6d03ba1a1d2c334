using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Journal;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Fixtures;

/// <summary>
/// A mock server for the run-time fixture tests: the near-miss tests' models, one file fixture per kind, strict mode on
/// by default (so a request no fixture matches is a 404 rather than a synthetic answer a test would have to tell apart),
/// and clients of <c>/v1</c> and of the root (for <c>/admin</c>), each with an optional <c>X-Mock-Session</c>.
/// </summary>
internal sealed class RuntimeServer : IAsyncDisposable
{
    public const string FilePrompt = "ping";
    public const string FileAnswer = " from the file";

    private const string Files = $$"""
        {"completions":[{"name":"file-ping","match":{"model":"base-a","prompt":"{{FilePrompt}}"},"tokens":["{{FileAnswer}}"]}],
         "chat":[{"name":"file-hello","match":{"user":"Hello"},"tokens":["Hello from the file"]}]}
        """;

    private readonly List<HttpClient> _clients = [];

    private RuntimeServer(MockLlmServer server) => Server = server;

    public MockLlmServer Server { get; }

    public RuntimeFixtures Fixtures => Server.Fixtures;

    public static async Task<RuntimeServer> StartAsync(Action<MockServerOptions>? configure = null)
    {
        var options = new MockServerOptions { IncludeDefaultFixtures = false, StrictFixtures = true };
        options.Fixtures.Add(new FixtureDocument("models.json", NearMissTests.Models));
        options.Fixtures.Add(new FixtureDocument("files.json", Files));
        configure?.Invoke(options);
        return new RuntimeServer(await MockLlmServer.StartAsync(options));
    }

    /// <summary>A document with one completion fixture for <c>base-a</c>: <paramref name="prompt"/> answered by <paramref name="answer"/>.</summary>
    public static string Completion(string prompt, string answer, string? name = null) =>
        $$"""{"completions":[{{{(name is null ? "" : $"\"name\":\"{name}\",")}}"match":{"model":"base-a","prompt":{{JsonSerializer.Serialize(prompt)}}},"tokens":[{{JsonSerializer.Serialize(answer)}}]}]}""";

    /// <summary>A client of <c>/v1</c> sending <paramref name="session"/> as <c>X-Mock-Session</c>.</summary>
    public HttpClient V1(string? session = null, string? key = null) => Client(Server.BaseUrl + "/", session, key);

    /// <summary>A client of the server's root (for <c>/admin</c>) sending <paramref name="session"/> and <paramref name="key"/>.</summary>
    public HttpClient Root(string? session = null, string? key = null) => Client(new Uri(Server.BaseUrl, "/").ToString(), session, key);

    /// <summary>The text <c>base-a</c> answers <paramref name="prompt"/> with, or the 404 error's message when no fixture the client's session sees matches.</summary>
    public static async Task<(int Status, string Text)> CompleteAsync(HttpClient v1, string prompt, bool stream = false)
    {
        var body = $$"""{"model":"base-a","prompt":{{JsonSerializer.Serialize(prompt)}},"max_tokens":4,"stream":{{(stream ? "true" : "false")}}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await v1.PostAsync("completions", content);
        var status = (int)response.StatusCode;
        if (status == 200 && stream)
        {
            return (status, (await SseTranscript.ReadAsync(response)).Text());
        }

        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return status == 200
            ? (status, json.GetProperty("choices")[0].GetProperty("text").GetString()!)
            : (status, json.GetProperty("error").GetProperty("message").GetString()!);
    }

    /// <summary>What <c>chat-a</c> answers <paramref name="user"/> with, or the error's message.</summary>
    public static async Task<(int Status, string Text)> ChatAsync(HttpClient v1, string user)
    {
        var body = $$"""{"model":"chat-a","messages":[{"role":"user","content":{{JsonSerializer.Serialize(user)}}}],"max_tokens":8}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await v1.PostAsync("chat/completions", content);
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return response.IsSuccessStatusCode
            ? ((int)response.StatusCode, json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!)
            : ((int)response.StatusCode, json.GetProperty("error").GetProperty("message").GetString()!);
    }

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>The journal entries of <paramref name="session"/> once there are <paramref name="count"/> (entries land when a request's handling ends).</summary>
    public async Task<IReadOnlyList<JournalEntry>> EntriesAsync(string session, int count) =>
        await Server.Journal.WaitForAsync(count, new JournalFilter(Session: session)).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard only

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
    }

    private HttpClient Client(string baseAddress, string? session, string? key)
    {
        var client = new HttpClient { BaseAddress = new Uri(baseAddress), Timeout = TimeSpan.FromSeconds(30) };
        if (session is not null)
        {
            client.DefaultRequestHeaders.Add(RequestJournal.SessionHeader, session);
        }

        client.DefaultRequestHeaders.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);
        _clients.Add(client);
        return client;
    }
}
