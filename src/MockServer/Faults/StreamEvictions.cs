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
    /// <param name="model">The evicted model's id.</param>
    /// <param name="restarting">Whether the eviction made the model cold (its error event then says it is restarting).</param>
    public int Evict(string model, bool restarting)
    {
        var told = 0;
        foreach (var ticket in _live.Keys)
        {
            if (string.Equals(ticket.Model, model, StringComparison.Ordinal) && ticket.Request(restarting))
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
    private readonly CancellationTokenSource _signal = new();
    private int _requested;
    private int _finished;

    public string Model { get; } = model;

    public string Path { get; } = path;

    /// <summary>Read by the SSE sink after each frame it flushes.</summary>
    public bool Requested => Volatile.Read(ref _requested) == 1;

    /// <summary>Cancelled when the stream is told to end, so a wait between frames (timing, a stall) ends at once.</summary>
    public CancellationToken Signal => _signal.Token;

    /// <summary>
    /// Marks the stream for ending and cuts short any wait it is in; false when it already was, or when the stream has
    /// already sent its end (<c>[DONE]</c>, or a fault's), so only streams still delivering are counted as ended.
    /// </summary>
    public bool Request(bool restarting)
    {
        Restarting = restarting;
        if (Volatile.Read(ref _finished) == 1 || Interlocked.Exchange(ref _requested, 1) == 1)
        {
            return false;
        }

        try
        {
            _signal.Cancel();
        }
        catch (ObjectDisposedException)
        {
            return false; // the stream's request ended while it was being told
        }

        return true;
    }

    /// <summary>Whether the eviction made the model cold, so the error event says it is restarting.</summary>
    public bool Restarting { get; private set; }

    /// <summary>The stream sent its end: an eviction from now on has nothing to end.</summary>
    public void Finish() => Volatile.Write(ref _finished, 1);

    /// <summary>The sink ended the stream: the log line.</summary>
    public void Ended() => owner.Ended(this);

    public void Dispose()
    {
        owner.Remove(this);
        _signal.Dispose();
    }
}
