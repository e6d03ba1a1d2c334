namespace MockServer.Budgets;

/// <summary>
/// A key's limits; null means none. <see cref="TokenBudget"/> counts prompt plus completion tokens until the key is
/// reset or the budget changed; the per-minute limits count in one-minute windows on the server's clock.
/// </summary>
/// <param name="TokenBudget">Tokens the key may spend in total; over it, 429 <c>insufficient_quota</c> (no <c>Retry-After</c>).</param>
/// <param name="RequestsPerMinute">Requests admitted per minute; over it, 429 <c>rate_limit_exceeded</c> with <c>Retry-After</c>.</param>
/// <param name="TokensPerMinute">Tokens per minute (prompt plus <c>max_tokens</c> at admission, then the real usage); over it, the same 429.</param>
public sealed record KeyLimits(long? TokenBudget = null, long? RequestsPerMinute = null, long? TokensPerMinute = null)
{
    /// <summary>No limit at all: the key is only counted.</summary>
    public static KeyLimits None { get; } = new();

    /// <summary>Whether any limit applies.</summary>
    public bool Any => TokenBudget is not null || RequestsPerMinute is not null || TokensPerMinute is not null;

    /// <summary>Refuses limits a server cannot apply (a negative budget, a per-minute limit below 1).</summary>
    /// <exception cref="ArgumentException">A limit is out of range; the message names it as the keys file does.</exception>
    internal void Validate(string who)
    {
        if (TokenBudget < 0)
        {
            throw new ArgumentException($"{who}: token_budget must be at least 0.");
        }

        if (RequestsPerMinute < 1)
        {
            throw new ArgumentException($"{who}: rpm must be at least 1.");
        }

        if (TokensPerMinute < 1)
        {
            throw new ArgumentException($"{who}: tpm must be at least 1.");
        }
    }
}
