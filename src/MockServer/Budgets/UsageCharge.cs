namespace MockServer.Budgets;

/// <summary>
/// One admitted request's charge. The endpoint settles it exactly once with what the client was given: the full
/// usage, or for a stream cut short the completion tokens of the frames sent.
/// </summary>
internal abstract class UsageCharge
{
    /// <summary>A request no key applies to (no keys configured).</summary>
    public static UsageCharge None { get; } = new NoCharge();

    /// <summary>Charges the request's real usage and releases what was reserved for it at admission.</summary>
    public abstract void Settle(int promptTokens, int completionTokens);

    private sealed class NoCharge : UsageCharge
    {
        public override void Settle(int promptTokens, int completionTokens)
        {
        }
    }
}

/// <summary>A request admitted on a key: it holds the key's reservation until settled.</summary>
internal sealed class KeyCharge(KeyAccount account, long reserved, long tokenEpoch) : UsageCharge
{
    private int _settled;

    public long Reserved { get; } = reserved;

    /// <summary>The tokens-per-minute window the reservation was counted in.</summary>
    public long TokenEpoch { get; } = tokenEpoch;

    /// <summary>Settles once; a second call changes nothing, so a request can never be charged twice.</summary>
    public override void Settle(int promptTokens, int completionTokens)
    {
        if (Interlocked.Exchange(ref _settled, 1) == 0)
        {
            account.Settle(this, promptTokens, completionTokens);
        }
    }
}
