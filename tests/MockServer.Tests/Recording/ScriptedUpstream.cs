using Microsoft.AspNetCore.Http;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// A fake upstream on 127.0.0.1 that answers every request with a stream of the chunks it was given, each written and
/// flushed on its own (so each reaches the proxy as a separate read, as a real stream's chunks do).
/// </summary>
internal sealed class ScriptedUpstream : IAsyncDisposable
{
    private readonly LocalUpstream _server;

    private ScriptedUpstream(LocalUpstream server) => _server = server;

    public Uri BaseUrl => _server.BaseUrl;

    public static async Task<ScriptedUpstream> StartAsync(params string[] chunks)
    {
        return new ScriptedUpstream(await LocalUpstream.StartAsync(async context =>
        {
            context.Response.ContentType = "text/event-stream";
            foreach (var chunk in chunks)
            {
                await context.Response.WriteAsync(chunk);
                await context.Response.Body.FlushAsync();
            }
        }));
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
