namespace MockServer.Budgets;

/// <summary>
/// CONTRACT STUB (helper "budgets" owns it): one admitted request's charge. The endpoint settles it exactly once with
/// what the client was given: the full usage, or for a stream cut short the completion tokens of the frames sent.
/// </summary>
internal class UsageCharge
{
    /// <summary>A request no budget applies to (no keys file, or a key without limits).</summary>
    public static UsageCharge None { get; } = new();

    public virtual void Settle(int promptTokens, int completionTokens)
    {
    }
}
