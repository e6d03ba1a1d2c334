using MockServer.Hosting;
using Xunit;

namespace MockServer.Xunit;

/// <summary>
/// One <see cref="MockLlmServer"/> on <c>127.0.0.1</c> and a free port, started before the first test of a class
/// (<c>IClassFixture&lt;MockLlmServerFixture&gt;</c>) or collection (<c>ICollectionFixture&lt;MockLlmServerFixture&gt;</c>)
/// and stopped after the last. Derive the test class from <see cref="MockLlmServerTest"/> so the server is
/// <see cref="ResetAsync"/> before every test; derive from this class and override <see cref="CreateOptions"/> to start it
/// with other options (keys, fixtures, timing, a profile).
/// </summary>
public class MockLlmServerFixture : IAsyncLifetime
{
    private MockLlmServer? _server;
    private HttpClient? _client;

    /// <summary>The running server: its journal, run-time fixtures and keys.</summary>
    /// <exception cref="InvalidOperationException">Read before xunit started the fixture.</exception>
    public MockLlmServer Server => _server ?? throw NotStarted();

    /// <summary>The OpenAI base URL, e.g. <c>http://127.0.0.1:54321/v1</c>: give it to any OpenAI client.</summary>
    public Uri BaseUrl => Server.BaseUrl;

    /// <summary>
    /// A client whose base address is <see cref="BaseUrl"/> with a trailing slash, so <c>"completions"</c> and
    /// <c>"chat/completions"</c> are relative to it. It sends no key; see <see cref="CreateClient"/>. It is SHARED by
    /// every test of the class or collection: a change to its <c>DefaultRequestHeaders</c> reaches the tests after.
    /// <see cref="MockLlmServerTest{TFixture}"/>'s <c>Client</c> is a client of the test's own instead.
    /// </summary>
    public HttpClient Client => _client ?? throw NotStarted();

    /// <summary>A new client for <see cref="BaseUrl"/> (the caller disposes it), sending <paramref name="apiKey"/> as its bearer key when given.</summary>
    public HttpClient CreateClient(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl + "/") };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>
    /// Puts back what a test can change (<see cref="MockLlmServer.ResetAsync"/>): first ends the requests still in
    /// flight (a stream a test walked away from) and waits for their journal entries and charges, then clears the
    /// journal, every session's run-time fixtures, key usage and limits, cold models, the fault schedule's and replay's
    /// counts, response ids. <see cref="MockLlmServerTest{TFixture}"/> calls it before each test. Override it to reset
    /// state of your own as well (and call this base).
    /// </summary>
    public virtual Task ResetAsync(CancellationToken cancellationToken = default) => Server.ResetAsync(cancellationToken);

    /// <summary>
    /// The options the server starts with, once per class or collection: by default the embedded fixtures, no
    /// authentication. Fixtures every test needs belong here (<see cref="MockServerOptions.Fixtures"/>), not in
    /// <c>Server.Fixtures</c>: <see cref="ResetAsync"/> keeps the first and removes the second.
    /// </summary>
    protected virtual MockServerOptions CreateOptions() => new();

    /// <summary>Starts the server; xunit calls it before the first test that uses the fixture.</summary>
    public virtual async Task InitializeAsync()
    {
        _server = await MockLlmServer.StartAsync(CreateOptions()).ConfigureAwait(false);
        _client = CreateClient();
    }

    /// <summary>Stops the server and releases its port; xunit calls it after the last test.</summary>
    public virtual async Task DisposeAsync()
    {
        _client?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static InvalidOperationException NotStarted() =>
        new("The mock server is not started: use this fixture through IClassFixture<T> or ICollectionFixture<T>, which start it before the first test.");
}
