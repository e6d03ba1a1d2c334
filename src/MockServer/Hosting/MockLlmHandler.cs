using Microsoft.AspNetCore.Hosting.Server;
using MockServer.Budgets;
using MockServer.Fixtures;

namespace MockServer.Hosting;

/// <summary>
/// The mock's whole pipeline (journal, error envelope, keys, faults, record and replay, the OpenAI endpoints) without
/// a listener of its own, for a host that already has one: another server's middleware calls <see cref="Owns"/> and
/// <see cref="HandleAsync"/> on each request. Its services live in its own container, as in
/// <see cref="MockLlmServer"/>; streams are written and flushed frame by frame to the other server's connection.
/// </summary>
/// <remarks>
/// It owns exactly the mock's routes: <c>/v1/completions</c>, <c>/v1/chat/completions</c>, <c>/v1/models</c> and
/// <c>/v1/models/{id}</c> (any method, so a wrong one gets the mock's 405 envelope), and <c>/admin</c> when
/// <see cref="MockServerOptions.EnableAdmin"/> is on. Every other path, other <c>/v1</c> paths included, is the
/// host's. The list mirrors <c>MapOpenAiEndpoints</c>.
/// </remarks>
public sealed class MockLlmHandler : IAsyncDisposable
{
    private static readonly PathString[] ExactRoutes = [new("/v1/completions"), new("/v1/chat/completions")];
    private static readonly PathString Models = new("/v1/models");
    private static readonly PathString Admin = new(MockServer.Admin.AdminRoutes.Prefix);

    private readonly WebApplication _app;
    private readonly InProcessServer _server;
    private readonly bool _admin;

    private MockLlmHandler(WebApplication app, InProcessServer server, bool admin)
    {
        _app = app;
        _server = server;
        _admin = admin;
    }

    /// <summary>The requests this handler has answered, newest kept (<see cref="MockServerOptions.JournalCapacity"/>).</summary>
    public Journal.RequestJournal Journal => _app.Services.GetRequiredService<Journal.RequestJournal>();

    /// <summary>Fixtures added and removed at run time, as <see cref="MockLlmServer.Fixtures"/>.</summary>
    public RuntimeFixtures Fixtures => _app.Services.GetRequiredService<RuntimeFixtures>();

    /// <summary>Every <c>/v1</c> key's usage and limits, as <see cref="MockLlmServer.Keys"/>.</summary>
    public KeyAccounts Keys => _app.Services.GetRequiredService<KeyAccounts>();

    /// <summary>The application's services, for tests that reach inside (its routes).</summary>
    internal IServiceProvider Services => _app.Services;

    /// <summary>Builds the mock's application over <paramref name="options"/> and starts it without a listener.</summary>
    /// <exception cref="FixtureLoadException">A fixture is invalid; the message names the file and JSON path.</exception>
    /// <exception cref="KeysFileException">The keys file is invalid; the message names the file, JSON path and line.</exception>
    public static async Task<MockLlmHandler> CreateAsync(MockServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new MockServerOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders(); // the host's owner decides what is logged, as with StartAsync
        var server = new InProcessServer();
        builder.Services.AddSingleton<IServer>(server); // registered after Kestrel: the last registration wins
        var app = await MockLlmServer.BuildAsync(builder, options).ConfigureAwait(false);
        server.Scopes = app.Services.GetRequiredService<IServiceScopeFactory>();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new MockLlmHandler(app, server, options.EnableAdmin);
    }

    /// <summary>Whether the request's path is one of the mock's routes (see remarks); paths compare case-insensitively, as routing does.</summary>
    public bool Owns(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path;
        foreach (var route in ExactRoutes)
        {
            if (path.StartsWithSegments(route, StringComparison.OrdinalIgnoreCase, out var rest) && rest.Value is null or "" or "/")
            {
                return true;
            }
        }

        return path.StartsWithSegments(Models, StringComparison.OrdinalIgnoreCase)
            || (_admin && path.StartsWithSegments(Admin, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Answers a request another server accepted, through the mock's pipeline: the response (status, headers, each
    /// stream frame) is written to <paramref name="context"/>'s connection. Call it only for a request it
    /// <see cref="Owns"/>, and do not call the host's next middleware after it.
    /// </summary>
    public Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return _server.ProcessAsync(context);
    }

    /// <summary>Evicts a model, as <see cref="MockLlmServer.Evict"/> does.</summary>
    /// <exception cref="ArgumentException">No model with that id is served.</exception>
    public ModelEvictionResult Evict(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return MockServer.Admin.ModelAdminRoutes.EvictModel(_app.Services, modelId)
            ?? throw new ArgumentException($"No model '{modelId}' is served.", nameof(modelId));
    }

    /// <summary>Puts back what a test can change, as <see cref="MockLlmServer.Reset"/> does (journal, run-time fixtures, key usage, cold models, fault and replay counts, ids).</summary>
    public void Reset() => MockLlmServer.ResetState(_app.Services);

    /// <summary>Stops the mock's application; later calls to <see cref="HandleAsync"/> throw <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
