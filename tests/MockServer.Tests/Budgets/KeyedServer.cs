using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MockServer.Budgets;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Budgets;

/// <summary>
/// A mock server with keyed <c>/v1</c> access on a fake clock, and a scripted completion whose cost is known: the
/// prompt <see cref="Prompt"/> continues with exactly <see cref="CompletionTokens"/> tokens at <c>max_tokens</c> 4, so a
/// request reserves exactly what it is charged.
/// </summary>
internal sealed class KeyedServer : IAsyncDisposable
{
    public const string AdminKey = "admin-secret-key-0000";
    public const string Prompt = "Spend four tokens";
    public const int CompletionTokens = 4;

    private const string Script = """
        {"completions": [{"match": {"model": "llama-8b", "prompt": "Spend four tokens"}, "tokens": [" one", " two", " three", " four"]}]}
        """;

    private readonly List<HttpClient> _clients = [];

    private KeyedServer(MockLlmServer server, FakeTimeProvider clock)
    {
        Server = server;
        Clock = clock;
    }

    public MockLlmServer Server { get; }

    public FakeTimeProvider Clock { get; }

    public static async Task<KeyedServer> StartAsync(Action<MockServerOptions> configure)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new MockServerOptions { TimeProvider = clock };
        options.Fixtures.Add(new FixtureDocument("budget-script.json", Script));
        configure(options);
        return new KeyedServer(await MockLlmServer.StartAsync(options), clock);
    }

    public static Task<KeyedServer> StartAsync(params ApiKeyEntry[] keys) => StartAsync(o =>
    {
        foreach (var key in keys)
        {
            o.Keys.Add(key);
        }

        o.EnableAdmin = true;
        o.AdminKey = AdminKey;
    });

    /// <summary>A client of <c>/v1</c> with <paramref name="key"/> as its bearer key.</summary>
    public HttpClient V1(string? key)
    {
        var client = Api.ClientFor(Server);
        client.DefaultRequestHeaders.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);
        _clients.Add(client);
        return client;
    }

    /// <summary>A client of the server's root (for <c>/admin</c>) with <paramref name="key"/> as its bearer key.</summary>
    public HttpClient Root(string? key = AdminKey)
    {
        var client = new HttpClient { BaseAddress = new Uri(Server.BaseUrl, "/") };
        client.DefaultRequestHeaders.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);
        _clients.Add(client);
        return client;
    }

    public static string Completion(int maxTokens = CompletionTokens, bool stream = false) =>
        $$"""{"model":"llama-8b","prompt":"{{Prompt}}","max_tokens":{{maxTokens}},"stream":{{(stream ? "true" : "false")}}}""";

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
    }
}

/// <summary>One answer, with the headers the budget tests read.</summary>
internal sealed record Answer(int Status, string Body, IReadOnlyDictionary<string, string> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    public JsonElement Error
    {
        get
        {
            Body.ShouldConformTo(Schemas.Error);
            return Json.GetProperty("error");
        }
    }

    public static async Task<Answer> PostAsync(HttpClient client, string path, string json)
    {
        using var response = await client.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        return await ReadAsync(response);
    }

    public static async Task<Answer> SendAsync(HttpClient client, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await client.SendAsync(request);
        return await ReadAsync(response);
    }

    private static async Task<Answer> ReadAsync(HttpResponseMessage response)
    {
        var headers = response.Headers.Concat(response.Content.Headers)
            .ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new Answer((int)response.StatusCode, await response.Content.ReadAsStringAsync(), headers);
    }
}
