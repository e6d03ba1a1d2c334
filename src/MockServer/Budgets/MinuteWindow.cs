namespace MockServer.Budgets;

/// <summary>
/// One per-minute count of a key (requests, or tokens): a fixed window that opens with the first use after the last
/// one ended and lasts a minute, so the reset a client is told is exact and the same on every run under a fake clock.
/// Not thread-safe: the owning <see cref="KeyAccount"/> holds its lock around every call.
/// </summary>
internal sealed class MinuteWindow
{
    public static readonly TimeSpan Length = TimeSpan.FromMinutes(1);

    private DateTimeOffset? _start;

    /// <summary>What has been counted in the open window.</summary>
    public long Used { get; private set; }

    /// <summary>Which window is open: a charge corrects only the window it was counted in.</summary>
    public long Epoch { get; private set; }

    /// <summary>Closes the window once its minute has passed.</summary>
    public void Roll(DateTimeOffset now)
    {
        if (_start is { } start && now >= start + Length)
        {
            Clear();
        }
    }

    /// <summary>Time until the window's count is back to zero (zero when no window is open).</summary>
    public TimeSpan ResetIn(DateTimeOffset now) => _start is { } start ? start + Length - now : TimeSpan.Zero;

    public void Add(long amount, DateTimeOffset now)
    {
        _start ??= now;
        Used += amount;
    }

    /// <summary>Replaces an estimate counted in window <paramref name="epoch"/> by the real amount, if that window is still open.</summary>
    public void Correct(long epoch, long delta)
    {
        if (epoch == Epoch)
        {
            Used = Math.Max(0, Used + delta);
        }
    }

    public void Clear()
    {
        _start = null;
        Used = 0;
        Epoch++;
    }
}
