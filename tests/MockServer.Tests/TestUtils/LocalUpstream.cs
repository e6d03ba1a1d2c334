using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MockServer.Tests.TestUtils;

/// <summary>A throwaway HTTP server on 127.0.0.1 (port 0) answering every request with one handler: a fake upstream for record mode.</summary>
internal sealed class LocalUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalUpstream(WebApplication app, Uri baseUrl) => (_app, BaseUrl) = (app, baseUrl);

    /// <summary>The server's <c>/v1</c> base URL.</summary>
    public Uri BaseUrl { get; }

    public static async Task<LocalUpstream> StartAsync(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.Run(handler);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalUpstream(app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
