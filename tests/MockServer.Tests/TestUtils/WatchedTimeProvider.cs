using Microsoft.Extensions.Time.Testing;

namespace MockServer.Tests.TestUtils;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells a test when the code under test is waiting on it. Advancing the clock
/// before the server has armed its next timer does nothing, so tests wait for <see cref="WaitForPendingAsync"/>
/// instead of pausing and hoping. A timer is pending from creation until it fires or is disposed.
/// </summary>
internal sealed class WatchedTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
{
    private readonly Lock _gate = new();
    private readonly List<(int Count, TaskCompletionSource Done)> _waiters = [];
    private int _pending;
    private int _registering; // timers armed (or changed) whose registration with the fake clock is not done yet

    public int Pending
    {
        get
        {
            lock (_gate)
            {
                return _pending;
            }
        }
    }

    /// <summary>Completes once exactly <paramref name="count"/> timers are pending (at once, if they already are).</summary>
    public Task WaitForPendingAsync(int count)
    {
        lock (_gate)
        {
            // Not while a timer is being registered: it counts as pending before the clock knows it, and a test that
            // advanced the clock in that gap would advance past a timer that then never fires.
            if (_pending == count && _registering == 0)
            {
                return Task.CompletedTask;
            }

            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((count, done));
            return done.Task;
        }
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new WatchedTimer(this, callback, state) { Periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero };
        Registering(+1);
        if (dueTime != Timeout.InfiniteTimeSpan)
        {
            timer.Arm();
        }

        // Waiters learn of the timer only once the fake clock knows it: a test that advances as soon as it sees the
        // timer pending must not advance a clock the timer is not registered with yet (it would never fire).
        timer.Inner = base.CreateTimer(WatchedTimer.Fire, timer, dueTime, period);
        Registering(-1);
        return timer;
    }

    private void Registering(int by)
    {
        lock (_gate)
        {
            _registering += by;
            Notify();
        }
    }

    private void Adjust(int by)
    {
        lock (_gate)
        {
            _pending += by;
            Notify();
        }
    }

    // Under _gate. Waiters hear only settled counts: none while a registration is under way.
    private void Notify()
    {
        if (_registering != 0)
        {
            return;
        }

        foreach (var waiter in _waiters.Where(w => w.Count == _pending).ToList())
        {
            _waiters.Remove(waiter);
            waiter.Done.SetResult();
        }
    }

    private sealed class WatchedTimer(WatchedTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private readonly TimerCallback _callback = callback;
        private readonly object? _state = state;
        private int _armed; // 1 while pending

        public ITimer Inner { get; set; } = null!;

        public bool Periodic { get; set; }

        public static void Fire(object? self)
        {
            var timer = (WatchedTimer)self!;
            if (!timer.Periodic)
            {
                timer.Disarm();
            }

            timer._callback(timer._state);
        }

        public void Arm()
        {
            if (Interlocked.Exchange(ref _armed, 1) == 0)
            {
                owner.Adjust(+1);
            }
        }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            Periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
            owner.Registering(+1); // as in CreateTimer: waiters hear of it once the clock knows the new due time
            if (dueTime == Timeout.InfiniteTimeSpan)
            {
                Disarm();
            }
            else
            {
                Arm();
            }

            var changed = Inner.Change(dueTime, period);
            owner.Registering(-1);
            return changed;
        }

        public void Dispose()
        {
            Disarm();
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void Disarm()
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                owner.Adjust(-1);
            }
        }
    }
}
