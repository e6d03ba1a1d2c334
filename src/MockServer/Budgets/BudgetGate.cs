namespace MockServer.Budgets;

/// <summary>
/// CONTRACT STUB (helper "budgets" owns it): the step both generation endpoints take after the cold-start gate and
/// before the first byte. Admits a request against its key's token budget and rate limits, or answers 429.
/// </summary>
internal static class BudgetGate
{
    /// <summary>
    /// Admits the request: a charge to settle once the answer is written, or null when the 429 has been written.
    /// <paramref name="maxCompletionTokens"/> is the most the request can generate (max_tokens × choices), for a
    /// reservation that keeps concurrent requests from spending more than the budget.
    /// </summary>
    public static Task<UsageCharge?> AdmitAsync(HttpContext context, string model, int promptTokens, long maxCompletionTokens)
    {
        _ = context;
        _ = model;
        _ = promptTokens;
        _ = maxCompletionTokens;
        return Task.FromResult<UsageCharge?>(UsageCharge.None);
    }
}
