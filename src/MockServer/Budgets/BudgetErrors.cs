using System.Globalization;
using MockServer.Errors;

namespace MockServer.Budgets;

/// <summary>
/// The 429 envelopes of a key's limits, in OpenAI's wording and types (spec-facts §6.2): <c>insufficient_quota</c> for
/// the budget, <c>rate_limit_exceeded</c> with type <c>requests</c> or <c>tokens</c> for the per-minute limits. They
/// name the key by its label, never the key.
/// </summary>
internal static class BudgetErrors
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static ApiError For(string name, AdmissionDecision d) => d.Refusal switch
    {
        Refusal.Quota => new(429, string.Create(Inv,
                $"You exceeded your current quota, please check your plan and billing details. (Key '{name}': {Math.Max(0, d.Limit - d.Used)} of its {d.Limit} budget tokens are left; this request may use up to {d.Requested}.)"),
            "insufficient_quota", null, "insufficient_quota"),
        Refusal.RequestsPerMinute => new(429, string.Create(Inv,
                $"Rate limit reached for requests per min (RPM) on key '{name}': Limit {d.Limit}, Used {d.Used}, Requested 1. Please try again in {RateLimitHeaders.Duration(d.RetryAfter)}."),
            "requests", null, "rate_limit_exceeded"),
        Refusal.TokensPerMinute => new(429, string.Create(Inv,
                $"Rate limit reached for tokens per min (TPM) on key '{name}': Limit {d.Limit}, Used {d.Used}, Requested {d.Requested}. Please try again in {RateLimitHeaders.Duration(d.RetryAfter)}."),
            "tokens", null, "rate_limit_exceeded"),
        Refusal.TooLarge => new(429, string.Create(Inv,
                $"Request too large for tokens per min (TPM) on key '{name}': Limit {d.Limit}, Requested {d.Requested}. The input or output tokens must be reduced in order to run successfully."),
            "tokens", null, "rate_limit_exceeded"),
        _ => throw new ArgumentOutOfRangeException(nameof(d), d.Refusal, "an admitted request has no error"),
    };
}
