using System.Collections.Concurrent;
using MockServer.Hosting;

namespace MockServer.Faults;

/// <summary>
/// The streams in flight, by model, so that evicting a model (<c>POST /admin/models/{id}/evict</c>,
/// <see cref="MockLlmServer.Evict"/>) can end each after the frame it is producing, with the error event and
/// <c>[DONE]</c> of spec-facts §4.6 and §11 item 5. A stream is tracked from its admission to the end of its request.
/// </summary>
internal sealed partial class StreamEvictions(ILoggerFactory loggers)
{
    private readonly ConcurrentDictionary<EvictionTicket, byte> _live = new();
    private readonly ILogger _logger = loggers.CreateLogger("MockServer.Faults");

    /// <summary>Tracks an admitted streaming request until its response ends; the SSE sink finds the ticket in its features.</summary>
    public static void Track(HttpContext context, string model)
    {
        if (context.RequestServices.GetService<StreamEvictions>() is not { } evictions)
        {
            return;
        }

        var ticket = new EvictionTicket(model, context.Request.Path, evictions);
        evictions._live[ticket] = 0;
        context.Features.Set(ticket);
        context.Response.RegisterForDispose(ticket);
    }

    /// <summary>Tells every in-flight stream of <paramref name="model"/> to end after its current frame; returns how many were told.</summary>
    public int Evict(string model)
    {
        var told = 0;
        foreach (var ticket in _live.Keys)
        {
            if (string.Equals(ticket.Model, model, StringComparison.Ordinal) && ticket.Request())
            {
                told++;
            }
        }

        return told;
    }

    internal void Ended(EvictionTicket ticket) => LogStreamEvicted(_logger, ticket.Model, ticket.Path);

    internal void Remove(EvictionTicket ticket) => _live.TryRemove(ticket, out _);

    [LoggerMessage(EventId = LogEvents.StreamEvicted, Level = LogLevel.Information, Message = "Model {Model} evicted: the stream on {Path} ended with an error event and [DONE]")]
    private static partial void LogStreamEvicted(ILogger logger, string model, string path);
}

/// <summary>One tracked stream: whether its model has been evicted since it was admitted.</summary>
internal sealed class EvictionTicket(string model, string path, StreamEvictions owner) : IDisposable
{
    private int _requested;

    public string Model { get; } = model;

    public string Path { get; } = path;

    /// <summary>Read by the SSE sink after each frame it flushes.</summary>
    public bool Requested => Volatile.Read(ref _requested) == 1;

    /// <summary>Marks the stream for ending; false when it already was.</summary>
    public bool Request() => Interlocked.Exchange(ref _requested, 1) == 0;

    /// <summary>The sink ended the stream: the log line.</summary>
    public void Ended() => owner.Ended(this);

    public void Dispose() => owner.Remove(this);
}
