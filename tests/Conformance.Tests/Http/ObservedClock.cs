using Microsoft.Extensions.Time.Testing;

namespace Conformance.Tests.Http;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also tells a test when a timer of a given length is created, so the test
/// advances the clock only once the code waits on it (an advance before that would be wasted) and can tell a wait that
/// happened from one that was skipped.
/// </summary>
internal sealed class ObservedClock : TimeProvider
{
    private readonly Lock _gate = new();
    private readonly List<TimeSpan> _created = [];
    private readonly List<(TimeSpan Due, TaskCompletionSource Signal)> _waiters = [];

    public FakeTimeProvider Fake { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public override TimeZoneInfo LocalTimeZone => Fake.LocalTimeZone;

    public override long TimestampFrequency => Fake.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Fake.GetUtcNow();

    public override long GetTimestamp() => Fake.GetTimestamp();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = Fake.CreateTimer(callback, state, dueTime, period);
        lock (_gate)
        {
            _created.Add(dueTime);
            foreach (var waiter in _waiters.Where(w => w.Due == dueTime))
            {
                waiter.Signal.TrySetResult();
            }
        }

        return timer;
    }

    /// <summary>Completes once a timer due after <paramref name="due"/> has been created (at once if one was).</summary>
    public Task TimerCreated(TimeSpan due)
    {
        lock (_gate)
        {
            if (_created.Contains(due))
            {
                return Task.CompletedTask;
            }

            var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((due, signal));
            return signal.Task;
        }
    }
}
