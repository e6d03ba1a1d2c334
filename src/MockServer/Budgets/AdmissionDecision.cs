namespace MockServer.Budgets;

/// <summary>Why a key's request was refused, if it was.</summary>
internal enum Refusal
{
    None,

    /// <summary>The token budget cannot hold the request: 429 <c>insufficient_quota</c>, which needs a person.</summary>
    Quota,

    /// <summary>A per-minute limit is used up until its window resets: 429 <c>rate_limit_exceeded</c> with <c>Retry-After</c>.</summary>
    RequestsPerMinute,

    /// <inheritdoc cref="RequestsPerMinute"/>
    TokensPerMinute,

    /// <summary>The request alone needs more than the tokens-per-minute limit: waiting cannot help, so no <c>Retry-After</c>.</summary>
    TooLarge,
}

/// <summary>
/// What <see cref="KeyAccount.Admit"/> decided, with the numbers its answer reports: the charge when admitted, else
/// the refusal, the limit it hit, what is used of it and what the request asked for, and the wait until a retry can succeed.
/// </summary>
internal readonly record struct AdmissionDecision(KeyCharge? Charge, Refusal Refusal, RateState Rates, long Limit, long Used, long Requested, TimeSpan RetryAfter);
