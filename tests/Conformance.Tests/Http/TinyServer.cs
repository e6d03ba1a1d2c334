using System.Collections.Concurrent;
using Conformance.Tests.Fakes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Http;

/// <summary>A one-handler app on <see cref="LocalKestrel"/> that records the Authorization header of every request.</summary>
internal sealed class TinyServer : IAsyncDisposable
{
    private readonly LocalKestrel _host;

    private TinyServer(LocalKestrel host)
    {
        _host = host;
    }

    public Uri BaseUrl => _host.BaseUrl;

    public ConcurrentQueue<string> Authorizations { get; } = new();

    public static async Task<TinyServer> StartAsync(Func<HttpContext, Task> handler)
    {
        TinyServer? server = null;
        var host = await LocalKestrel.StartAsync(app => app.Run(async ctx =>
        {
            server!.Authorizations.Enqueue(ctx.Request.Headers.Authorization.ToString());
            await handler(ctx);
        }));
        server = new TinyServer(host);
        return server;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();
}
