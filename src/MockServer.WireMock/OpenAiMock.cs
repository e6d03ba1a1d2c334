using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using MockServer.Budgets;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Journal;
using WireMock.Settings;

namespace MockServer.WireMock;

/// <summary>
/// The mock's OpenAI endpoints inside a WireMock.Net server, on its port: <c>/v1/completions</c>,
/// <c>/v1/chat/completions</c> and <c>/v1/models</c> are answered by the mock's own handlers (every SSE frame written
/// and flushed as the mock produces it), and every other path, other <c>/v1</c> paths included, by the server's own
/// mappings as before.
/// <code>
/// await using var mock = await OpenAiMock.AttachAsync(settings, new MockServerOptions { Seed = 7 });
/// using var server = WireMockServer.Start(settings);
/// var chat = new ChatClient("llama-8b-instruct", new ApiKeyCredential("k"), new OpenAIClientOptions { Endpoint = mock.BaseUrl });
/// </code>
/// </summary>
/// <remarks>
/// The mock's services live in their own container (<see cref="MockLlmHandler"/>); WireMock's host only routes the
/// requests the mock owns to it, from a middleware placed before WireMock's own (its
/// <see cref="WireMockServerSettings.PreWireMockMiddlewareInit"/>, after any hook already set there). So those
/// requests are in <see cref="Journal"/>, not in WireMock's log entries, and no WireMock mapping can shadow them.
/// A hook assigned to <see cref="WireMockServerSettings.PreWireMockMiddlewareInit"/> after <see cref="AttachAsync"/>
/// replaces the mock's; every server started from the same settings shares this one mock.
/// </remarks>
public sealed class OpenAiMock : IAsyncDisposable
{
    private readonly MockLlmHandler _handler;
    private IServerAddressesFeature? _addresses;

    private OpenAiMock(MockLlmHandler handler) => _handler = handler;

    /// <summary>
    /// The OpenAI base URL of the WireMock server, e.g. <c>http://127.0.0.1:54321/v1</c>: give it to any OpenAI client.
    /// </summary>
    /// <exception cref="InvalidOperationException">No WireMock server has been started with the settings yet.</exception>
    public Uri BaseUrl
    {
        get
        {
            var address = _addresses?.Addresses.FirstOrDefault()
                ?? throw new InvalidOperationException("Start a WireMockServer with the settings given to AttachAsync first.");
            var url = new UriBuilder(address.TrimEnd('/') + "/v1");
            if (url.Host is "0.0.0.0" or "[::]" or "::" or "*" or "+")
            {
                url.Host = "localhost"; // a wildcard binding is reached through loopback, as WireMock's own Urls say
            }

            return url.Uri;
        }
    }

    /// <summary>The requests the mock has answered (not those WireMock's mappings answered), newest kept.</summary>
    public RequestJournal Journal => _handler.Journal;

    /// <summary>Fixtures added and removed while the server runs, globally or per <c>X-Mock-Session</c>.</summary>
    public RuntimeFixtures Fixtures => _handler.Fixtures;

    /// <summary>Every <c>/v1</c> key's usage and limits, when the options configure keys.</summary>
    public KeyAccounts Keys => _handler.Keys;

    /// <summary>
    /// Builds the mock over <paramref name="options"/> and hooks it into <paramref name="settings"/>: every
    /// <see cref="global::WireMock.Server.WireMockServer"/> started with them afterwards serves the mock's routes.
    /// </summary>
    /// <param name="settings">The WireMock server's settings, before the server starts.</param>
    /// <param name="options">The mock's options (fixtures, profile, keys, seed, timing); defaults serve the embedded fixtures without authentication.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <exception cref="FixtureLoadException">A fixture is invalid; the message names the file and JSON path.</exception>
    public static async Task<OpenAiMock> AttachAsync(WireMockServerSettings settings, MockServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var mock = new OpenAiMock(await MockLlmHandler.CreateAsync(options, cancellationToken).ConfigureAwait(false));
        var previous = settings.PreWireMockMiddlewareInit;
        settings.PreWireMockMiddlewareInit = app =>
        {
            previous?.Invoke(app);
            mock.Mount(app);
        };
        return mock;
    }

    /// <summary>Evicts a model: its streams in flight end with an error event, and a cold model is cold again.</summary>
    /// <exception cref="ArgumentException">No model with that id is served.</exception>
    public ModelEvictionResult Evict(string modelId) => _handler.Evict(modelId);

    /// <summary>Puts back what a test can change, as <c>MockLlmServer.Reset</c> does, so tests sharing one WireMock server do not see each other's journal, run-time fixtures or key usage. Requests in flight are not ended: between tests use <see cref="ResetAsync"/>.</summary>
    public void Reset() => _handler.Reset();

    /// <summary>As <c>MockLlmServer.ResetAsync</c>: ends the mock's requests in flight and waits for their journal entries and charges, then resets.</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default) => _handler.ResetAsync(cancellationToken);

    /// <summary>
    /// Stops the mock: its requests still in progress are aborted (a stream in flight is cut, the client sees the
    /// connection end) and awaited, then its application is disposed; a request for its routes that arrives afterwards
    /// goes to WireMock's mappings. WireMock's <c>Dispose</c> does not wait for requests in progress (its
    /// <c>Stop</c> does), so this is what ends the mock's streams whichever is disposed first.
    /// </summary>
    public ValueTask DisposeAsync() => _handler.DisposeAsync();

    private void Mount(object app)
    {
        // WireMock.Net passes an IAppBuilder on .NET Framework's OWIN host; this package targets its ASP.NET Core host.
        var builder = app as IApplicationBuilder
            ?? throw new NotSupportedException($"The OpenAI mock needs WireMock.Net's ASP.NET Core host; its middleware hook gave a {app.GetType().Name}.");
        _addresses = builder.ServerFeatures.Get<IServerAddressesFeature>();
        // TryHandleAsync, not a check of _disposed then HandleAsync: the mock can be disposed between the two, and the
        // request then goes to WireMock's mappings instead of a 500 with a serialized ObjectDisposedException.
        builder.Use(next => async context =>
        {
            if (!_handler.Owns(context.Request) || !await _handler.TryHandleAsync(context).ConfigureAwait(false))
            {
                await next(context).ConfigureAwait(false);
            }
        });
    }
}
