namespace MockServer.Budgets;

/// <summary>
/// One key's usage since it was last reset, as the admin routes and <see cref="KeyAccounts"/> report it. It names the
/// key and never holds it.
/// </summary>
/// <param name="Name">The key's label.</param>
/// <param name="Limits">The limits in force.</param>
/// <param name="Requests">Requests admitted (refused ones are not counted).</param>
/// <param name="PromptTokens">Prompt tokens charged by finished requests.</param>
/// <param name="CompletionTokens">Completion tokens charged by finished requests.</param>
/// <param name="ReservedTokens">Tokens held by requests still in flight (prompt plus their most completion tokens).</param>
public sealed record KeyUsage(string Name, KeyLimits Limits, long Requests, long PromptTokens, long CompletionTokens, long ReservedTokens)
{
    /// <summary>Prompt plus completion tokens charged.</summary>
    public long TotalTokens => PromptTokens + CompletionTokens;

    /// <summary>What is left of the budget for new requests (after the tokens in flight); null without a budget.</summary>
    public long? RemainingBudget => Limits.TokenBudget is { } budget ? Math.Max(0, budget - TotalTokens - ReservedTokens) : null;
}
