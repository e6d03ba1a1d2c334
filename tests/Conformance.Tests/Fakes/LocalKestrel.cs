using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conformance.Tests.Fakes;

/// <summary>
/// A slim Kestrel app on 127.0.0.1 port 0 (the OS picks a free port, so parallel tests never collide and nothing
/// reaches outside the machine), without logging; every in-process fake of this project starts on it.
/// </summary>
internal sealed class LocalKestrel : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LocalKestrel(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>Gets the base URL including <c>/v1</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Builds the app, lets <paramref name="map"/> add its routes, starts it and reads the port it got.</summary>
    public static async Task<LocalKestrel> StartAsync(Action<WebApplication> map)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        map(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LocalKestrel(app, new Uri(address.TrimEnd('/') + "/v1"));
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
