namespace Conformance.Http;

/// <summary>
/// A run-wide token budget: each generating request reserves its worst case before it is sent and settles
/// on the usage the endpoint reports, so a run against a paid endpoint cannot overspend.
/// </summary>
/// <remarks>
/// Counts are <see langword="long"/> and every sum saturates: an endpoint that reports <c>total_tokens: 2147483647</c>
/// (or more) exhausts the budget instead of wrapping the count negative and reopening it.
/// </remarks>
internal sealed class TokenBudget(int limit)
{
    private readonly Lock _gate = new();
    private long _reserved;
    private long _spent;

    /// <summary>Gets the configured limit.</summary>
    public int Limit { get; } = limit;

    /// <summary>Gets the tokens spent so far (settled usage, or the reservation where the endpoint reported none), saturated at <see cref="int.MaxValue"/>.</summary>
    public int Spent => (int)Math.Min(SpentExact, int.MaxValue);

    /// <summary>Gets the tokens spent so far, saturated at <see cref="long.MaxValue"/>.</summary>
    public long SpentExact
    {
        get
        {
            lock (_gate)
            {
                return _spent;
            }
        }
    }

    /// <summary>Reserves <paramref name="tokens"/>; false when that would exceed the limit.</summary>
    public bool TryReserve(int tokens)
    {
        lock (_gate)
        {
            if (SaturatingAdd(SaturatingAdd(_spent, _reserved), Math.Max(0, tokens)) > Limit)
            {
                return false;
            }

            _reserved = SaturatingAdd(_reserved, Math.Max(0, tokens));
            return true;
        }
    }

    /// <summary>Releases a reservation and records what was actually spent (negative reports count as nothing).</summary>
    public void Settle(int reserved, long actual)
    {
        lock (_gate)
        {
            _reserved = Math.Max(0, _reserved - Math.Max(0, reserved));
            _spent = SaturatingAdd(_spent, Math.Max(0, actual));
        }
    }

    /// <summary>Adds two non-negative counts, stopping at <see cref="long.MaxValue"/> instead of wrapping.</summary>
    private static long SaturatingAdd(long a, long b) => a > long.MaxValue - b ? long.MaxValue : a + b;
}
