namespace Conformance.Http;

/// <summary>
/// A run-wide token budget: each generating request reserves its worst case before it is sent and settles
/// on the usage the endpoint reports, so a run against a paid endpoint cannot overspend.
/// </summary>
internal sealed class TokenBudget(int limit)
{
    private readonly Lock _gate = new();
    private int _reserved;
    private int _spent;

    /// <summary>Gets the configured limit.</summary>
    public int Limit { get; } = limit;

    /// <summary>Gets the tokens spent so far (settled usage, or the reservation where the endpoint reported none).</summary>
    public int Spent
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
            if (_spent + _reserved + tokens > Limit)
            {
                return false;
            }

            _reserved += tokens;
            return true;
        }
    }

    /// <summary>Releases a reservation and records what was actually spent.</summary>
    public void Settle(int reserved, int actual)
    {
        lock (_gate)
        {
            _reserved -= reserved;
            _spent += Math.Max(0, actual);
        }
    }
}
