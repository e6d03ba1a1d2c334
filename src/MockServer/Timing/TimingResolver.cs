using MockServer.Catalog;
using MockServer.Hosting;

namespace MockServer.Timing;

/// <summary>
/// The timing of one request: the <c>X-Mock-Timing</c> header over the matched fixture's timing, over the model's,
/// over the server's (<see cref="MockServerOptions.Timing"/>, then the older <see cref="MockServerOptions.TokenDelay"/>
/// as the inter-token latency). A layer replaces only the fields it names (<see cref="StreamTiming.Over"/>).
/// </summary>
internal static class TimingResolver
{
    /// <summary>
    /// Resolves the request's timing. Throws <see cref="Errors.ApiErrorException"/> (400 naming the header) when the
    /// header is not a timing; the caller answers it before any byte.
    /// </summary>
    public static StreamTiming Resolve(HttpContext context, ServedModel model, StreamTiming? fixture, MockServerOptions options)
    {
        var server = options.Timing ?? StreamTiming.None;
        if (options.TokenDelay > TimeSpan.Zero && server.Interval is null)
        {
            server = server with { InterTokenLatency = options.TokenDelay };
        }

        var resolved = (fixture ?? StreamTiming.None).Over(model.Timing).Over(server);
        return TimingHeader.Read(context) is { } header ? header.Over(resolved) : resolved;
    }
}
