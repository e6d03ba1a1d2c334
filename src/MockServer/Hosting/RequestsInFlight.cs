using System.Collections.Concurrent;

namespace MockServer.Hosting;

/// <summary>
/// The requests being answered, each with a task that completes once its handling (the journal entry, the key's
/// charge) is over, so <see cref="MockLlmServer.ResetAsync"/> can end them and wait for their last effects before it
/// clears: a test that walked away from a stream must not leave its entry or charge to the next test.
/// </summary>
internal sealed class RequestsInFlight
{
    private readonly ConcurrentDictionary<TaskCompletionSource, HttpContext> _running = new();

    /// <summary>Tracks <paramref name="context"/>'s request; <see cref="End"/> the result when its handling is over.</summary>
    public TaskCompletionSource Begin(HttpContext context)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _running[done] = context;
        return done;
    }

    public void End(TaskCompletionSource done)
    {
        _running.TryRemove(done, out _);
        done.TrySetResult();
    }

    /// <summary>
    /// Aborts every request being answered (its <c>RequestAborted</c> fires, which every wait of the mock's observes)
    /// and completes when each has finished its handling.
    /// </summary>
    public Task EndAllAsync(CancellationToken cancellationToken)
    {
        var running = _running.ToArray();
        foreach (var (_, context) in running)
        {
            context.Abort();
        }

        return Task.WhenAll(running.Select(r => r.Key.Task)).WaitAsync(cancellationToken);
    }
}
