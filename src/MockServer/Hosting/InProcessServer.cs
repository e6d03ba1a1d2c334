using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;

namespace MockServer.Hosting;

/// <summary>
/// The server a <see cref="MockLlmHandler"/>'s host starts instead of Kestrel: it listens nowhere and only keeps the
/// application the host hands it, so requests another server accepted can be run through the mock's whole pipeline.
/// This is how ASP.NET Core's own TestServer plugs in; the host (hosting diagnostics, request scopes) stays the real one.
/// </summary>
internal sealed class InProcessServer : IServer
{
    private Func<IFeatureCollection, Task>? _process;

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull
    {
        _process = async features =>
        {
            var context = application.CreateContext(features);
            try
            {
                await application.ProcessRequestAsync(context).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                application.DisposeContext(context, ex);
                throw;
            }

            application.DisposeContext(context, null);
        };
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _process = null;
        return Task.CompletedTask;
    }

    public void Dispose() => _process = null;

    /// <summary>
    /// Runs one request of another server through the mock's pipeline. The mock gets an HttpContext of its own over a
    /// layer of the foreign request's features: reads reach the real connection (request body, response body, status,
    /// abort), so frames are written and flushed to the client as the mock writes them; what the mock sets on the
    /// collection (its request services, endpoint, route values, a wrapped body) stays in the layer, so the foreign
    /// host's context is not changed, and Kestrel's pooled context is not reused for a second host.
    /// The request services and items are set in the layer too: a feature the foreign host already set (its CORS
    /// middleware, or any hook, touching <c>RequestServices</c> sets its <see cref="IServiceProvidersFeature"/>) would
    /// otherwise show through, and the mock would resolve its services from the foreign container.
    /// </summary>
    public async Task ProcessAsync(HttpContext foreign)
    {
        var process = _process ?? throw new ObjectDisposedException(nameof(MockLlmHandler));
        var scopes = Scopes ?? throw new InvalidOperationException("The mock's services are not set.");
        await using var scope = scopes.CreateAsyncScope(); // disposed after the request, as the host's own request scope is
        var features = new FeatureCollection(foreign.Features);
        features.Set<IServiceProvidersFeature>(new ServiceProvidersFeature { RequestServices = scope.ServiceProvider });
        features.Set<IItemsFeature>(new ItemsFeature());
        var routing = new RoutingFeatures();
        features.Set<IEndpointFeature>(routing);
        features.Set<IRouteValuesFeature>(routing);
        await process(features).ConfigureAwait(false);
    }

    /// <summary>The mock's own container's scopes, one per request it runs; set once its application is built.</summary>
    public IServiceScopeFactory? Scopes { get; set; }

    /// <summary>The mock's own endpoint and route values: Kestrel implements both on its connection, shared with the foreign host.</summary>
    private sealed class RoutingFeatures : IEndpointFeature, IRouteValuesFeature
    {
        public Endpoint? Endpoint { get; set; }

        public RouteValueDictionary RouteValues { get; set; } = [];
    }
}
