namespace MockServer.Budgets;

/// <summary>
/// A key's per-minute limits as the <c>x-ratelimit-*</c> headers tell them (spec-facts §6.4): for each limit the key
/// has, its size, what is left in the current window, and the time until the window resets. Null when the key has
/// no such limit, and then its three headers are not sent.
/// </summary>
internal readonly record struct RateState(LimitState? Requests, LimitState? Tokens);

internal readonly record struct LimitState(long Limit, long Remaining, TimeSpan Reset);
