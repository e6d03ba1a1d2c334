using System.Text;

namespace MockServer.Budgets;

/// <summary>
/// One <c>/v1</c> key's limits and usage. Every decision and every settlement takes the account's lock, so concurrent
/// requests on one key see one order: a request reserves its prompt plus its most completion tokens at admission and
/// is refused when that does not fit, so the budget can never be overspent, whatever the interleaving; settling
/// releases the reservation and charges what the request really used.
/// </summary>
internal sealed class KeyAccount
{
    private readonly Lock _gate = new();
    private readonly MinuteWindow _requestWindow = new();
    private readonly MinuteWindow _tokenWindow = new();
    private KeyLimits _limits;
    private long _requests;
    private long _prompt;
    private long _completion;
    private long _reserved;

    public KeyAccount(string key, string name, KeyLimits limits)
    {
        Key = Encoding.UTF8.GetBytes(key);
        Name = name;
        _limits = limits;
        Configured = limits;
    }

    /// <summary>The limits the key was configured with (keys file or code), which <see cref="Restore"/> puts back.</summary>
    public KeyLimits Configured { get; }

    /// <summary>The key's bytes, compared in fixed time by <see cref="Http.ApiKeyMiddleware"/>; never shown.</summary>
    public byte[] Key { get; }

    public string Name { get; }

    /// <summary>Admits a request that may use up to <paramref name="reserve"/> tokens (prompt plus most completion tokens), or says why not.</summary>
    public AdmissionDecision Admit(long reserve, DateTimeOffset now)
    {
        lock (_gate)
        {
            _requestWindow.Roll(now);
            _tokenWindow.Roll(now);
            var limits = _limits;
            var spent = _prompt + _completion + _reserved;
            if (limits.TokenBudget is { } budget && spent + reserve > budget)
            {
                return Refuse(Refusal.Quota, budget, spent, reserve, TimeSpan.Zero, now);
            }

            if (limits.TokensPerMinute is { } tooSmall && reserve > tooSmall)
            {
                return Refuse(Refusal.TooLarge, tooSmall, _tokenWindow.Used, reserve, TimeSpan.Zero, now);
            }

            var overRequests = limits.RequestsPerMinute is { } rpm && _requestWindow.Used + 1 > rpm;
            var overTokens = limits.TokensPerMinute is { } tpm && _tokenWindow.Used + reserve > tpm;
            if (overRequests || overTokens)
            {
                // A retry succeeds only once every limit it hit has reset: the later of the two windows.
                var wait = TimeSpan.Zero;
                if (overRequests)
                {
                    wait = _requestWindow.ResetIn(now);
                }

                if (overTokens && _tokenWindow.ResetIn(now) > wait)
                {
                    wait = _tokenWindow.ResetIn(now);
                }

                return overRequests
                    ? Refuse(Refusal.RequestsPerMinute, limits.RequestsPerMinute!.Value, _requestWindow.Used, 1, wait, now)
                    : Refuse(Refusal.TokensPerMinute, limits.TokensPerMinute!.Value, _tokenWindow.Used, reserve, wait, now);
            }

            // Windows count even without a limit, so a limit set at run time starts from the truth.
            _requestWindow.Add(1, now);
            _tokenWindow.Add(reserve, now);
            _requests++;
            _reserved += reserve;
            return new AdmissionDecision(new KeyCharge(this, reserve, _tokenWindow.Epoch), Refusal.None, Rates(limits, now), 0, 0, reserve, TimeSpan.Zero);
        }
    }

    /// <summary>Releases <paramref name="charge"/>'s reservation and charges the real usage (to the token window too, if it is still open).</summary>
    public void Settle(KeyCharge charge, int promptTokens, int completionTokens)
    {
        lock (_gate)
        {
            _reserved -= charge.Reserved;
            _prompt += promptTokens;
            _completion += completionTokens;
            _tokenWindow.Correct(charge.TokenEpoch, (long)promptTokens + completionTokens - charge.Reserved);
        }
    }

    public KeyUsage Usage()
    {
        lock (_gate)
        {
            return new KeyUsage(Name, _limits, _requests, _prompt, _completion, _reserved);
        }
    }

    /// <summary>
    /// Starts the key afresh: usage and per-minute windows to zero. Requests in flight keep their reservation and are
    /// charged when they finish, to the new period.
    /// </summary>
    public KeyUsage Reset()
    {
        lock (_gate)
        {
            _requests = 0;
            _prompt = 0;
            _completion = 0;
            _requestWindow.Clear();
            _tokenWindow.Clear();
            return new KeyUsage(Name, _limits, _requests, _prompt, _completion, _reserved);
        }
    }

    public KeyUsage SetLimits(KeyLimits limits) => ChangeLimits(_ => limits);

    /// <summary>The key as configured at start: <see cref="Reset"/>, and the configured limits back (a test may have changed them).</summary>
    public KeyUsage Restore()
    {
        lock (_gate)
        {
            _limits = Configured;
            return Reset();
        }
    }

    /// <summary>Changes the limits from the ones in force, atomically (a PATCH that names some of them).</summary>
    public KeyUsage ChangeLimits(Func<KeyLimits, KeyLimits> change)
    {
        lock (_gate)
        {
            _limits = change(_limits);
            return new KeyUsage(Name, _limits, _requests, _prompt, _completion, _reserved);
        }
    }

    private AdmissionDecision Refuse(Refusal refusal, long limit, long used, long requested, TimeSpan wait, DateTimeOffset now) =>
        new(null, refusal, Rates(_limits, now), limit, used, requested, wait);

    // Called under the lock.
    private RateState Rates(KeyLimits limits, DateTimeOffset now) => new(
        limits.RequestsPerMinute is { } rpm ? new LimitState(rpm, Math.Max(0, rpm - _requestWindow.Used), _requestWindow.ResetIn(now)) : null,
        limits.TokensPerMinute is { } tpm ? new LimitState(tpm, Math.Max(0, tpm - _tokenWindow.Used), _tokenWindow.ResetIn(now)) : null);
}
