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
/// <see cref="MockServerOptions.EnableAdmin"/> is on, <c>/workbench</c> when <see cref="MockServerOptions.EnableWorkbench"/>
/// is. Every other path, other <c>/v1</c> paths included, is the
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
    private readonly bool _workbench;

    // The requests being answered, each with the task that ends when it has: disposal aborts and awaits them before
    // the container goes (a host's Dispose need not wait for its requests: WireMock 1.25.0's does not).
    private readonly Dictionary<HttpContext, Task> _inFlight = [];
    private bool _disposed;

    private MockLlmHandler(WebApplication app, InProcessServer server, MockServerOptions options)
    {
        _app = app;
        _server = server;
        _admin = options.EnableAdmin;
        _workbench = options.EnableWorkbench;
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
        return new MockLlmHandler(app, server, options);
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
            || (_admin && path.StartsWithSegments(Admin, StringComparison.OrdinalIgnoreCase))
            || (_workbench && MockServer.Workbench.WorkbenchRoutes.IsWorkbench(path));
    }

    /// <summary>
    /// Answers a request another server accepted, through the mock's pipeline: the response (status, headers, each
    /// stream frame) is written to <paramref name="context"/>'s connection. Call it only for a request it
    /// <see cref="Owns"/>, and do not call the host's next middleware after it.
    /// </summary>
    /// <exception cref="ObjectDisposedException">The handler is disposed (see <see cref="TryHandleAsync"/>).</exception>
    public async Task HandleAsync(HttpContext context)
    {
        var handled = await TryHandleAsync(context).ConfigureAwait(false);
        ObjectDisposedException.ThrowIf(!handled, this);
    }

    /// <summary>
    /// As <see cref="HandleAsync"/>, but a handler already disposed answers <see langword="false"/> and leaves the
    /// response untouched, so the host can pass the request on: a host checks <see cref="Owns"/> and disposal can
    /// land between that check and this call.
    /// </summary>
    public async Task<bool> TryHandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_inFlight)
        {
            if (_disposed)
            {
                return false;
            }

            _inFlight.Add(context, done.Task);
        }

        try
        {
            await _server.ProcessAsync(context).ConfigureAwait(false);
        }
        finally
        {
            lock (_inFlight)
            {
                _inFlight.Remove(context);
            }

            done.SetResult();
        }

        return true;
    }

    /// <summary>Evicts a model, as <see cref="MockLlmServer.Evict"/> does.</summary>
    /// <exception cref="ArgumentException">No model with that id is served.</exception>
    public ModelEvictionResult Evict(string modelId)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        return MockServer.Admin.ModelAdminRoutes.EvictModel(_app.Services, modelId)
            ?? throw new ArgumentException($"No model '{modelId}' is served.", nameof(modelId));
    }

    /// <summary>Puts back what a test can change, as <see cref="MockLlmServer.Reset"/> does (journal, run-time fixtures, key usage, cold models, fault and replay counts, ids); requests in flight are not ended (<see cref="ResetAsync"/> does that).</summary>
    public void Reset() => MockLlmServer.ResetState(_app.Services);

    /// <summary>As <see cref="MockLlmServer.ResetAsync"/>: ends the requests in flight and waits for their journal entries and charges, then resets.</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default) => MockLlmServer.ResetStateAsync(_app.Services, cancellationToken);

    /// <summary>
    /// Stops the mock's application: the requests it is answering are aborted (a stream in flight ends there, its
    /// client sees the connection cut) and awaited first. Later calls to <see cref="HandleAsync"/> throw
    /// <see cref="ObjectDisposedException"/>; <see cref="TryHandleAsync"/> answers <see langword="false"/>.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        KeyValuePair<HttpContext, Task>[] running;
        lock (_inFlight)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            running = [.. _inFlight];
        }

        foreach (var (context, _) in running)
        {
            context.Abort(); // cancels RequestAborted, which every wait of the mock's (token delays, stalls) observes
        }

        await Task.WhenAll(running.Select(r => r.Value)).ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
