using System.Net.Http.Headers;
using System.Text;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Journal;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Journal;

/// <summary>
/// A mock server for the journal tests: a named completion fixture and a named chat fixture, admin on, and clients
/// for <c>/v1</c> and the server's root. Entries are added once a request's handling ends, which can be just after
/// its client has read the answer, so tests read them through <see cref="SettledAsync"/>.
/// </summary>
internal sealed class JournalHarness : IAsyncDisposable
{
    public const string CompletionFixture = "journal-count";
    public const string ChatFixture = "journal-greeting";
    public const string CountPrompt = "Count for the journal:";
    public const string Greeting = "Greet the journal";

    private const string Fixtures = $$"""
        {"completions": [{"name": "{{CompletionFixture}}", "match": {"model": "llama-8b", "prompt": "{{CountPrompt}}"}, "tokens": [" one", " two", " three", " four", " five"]}],
         "chat": [{"name": "{{ChatFixture}}", "match": {"user": "{{Greeting}}"}, "tokens": ["Hello", ",", " journal"]}]}
        """;

    /// <summary>Fails a test that would otherwise hang; never reached when the behaviour holds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private readonly List<HttpClient> _clients = [];

    private JournalHarness(MockLlmServer server) => Server = server;

    public MockLlmServer Server { get; }

    public RequestJournal Journal => Server.Journal;

    public static async Task<JournalHarness> StartAsync(Action<MockServerOptions>? configure = null)
    {
        var options = new MockServerOptions { EnableAdmin = true };
        options.Fixtures.Add(new FixtureDocument("journal.json", Fixtures));
        configure?.Invoke(options);
        return new JournalHarness(await MockLlmServer.StartAsync(options));
    }

    /// <summary>A client of <c>/v1</c>, sending <paramref name="session"/> as <c>X-Mock-Session</c> and <paramref name="key"/> as its bearer key.</summary>
    public HttpClient V1(string? session = null, string? key = null)
    {
        var client = Api.ClientFor(Server);
        if (session is not null)
        {
            client.DefaultRequestHeaders.Add(RequestJournal.SessionHeader, session);
        }

        client.DefaultRequestHeaders.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);
        _clients.Add(client);
        return client;
    }

    /// <summary>A client of the server's root (for <c>/admin</c>) with <paramref name="key"/> as its bearer key.</summary>
    public HttpClient Root(string? key = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(Server.BaseUrl, "/") };
        client.DefaultRequestHeaders.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);
        _clients.Add(client);
        return client;
    }

    public static string Count(bool stream = false) =>
        $$"""{"model":"llama-8b","prompt":"{{CountPrompt}}","max_tokens":8,"stream":{{(stream ? "true" : "false")}}}""";

    public static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary>
    /// The entries <paramref name="filter"/> matches once there are <paramref name="count"/> of them (entries are added
    /// when a request's handling ends, which can be just after its client has read the answer). The guard only fails a
    /// test that would otherwise hang; it is never reached when the behaviour holds.
    /// </summary>
    public async Task<IReadOnlyList<JournalEntry>> SettledAsync(int count, JournalFilter? filter = null)
    {
        var entries = await Journal.WaitForAsync(count, filter).WaitAsync(HangGuard);
        entries.Should().HaveCount(count, "every request is journaled once, when its handling ends");
        return entries;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        await Server.DisposeAsync();
    }
}
