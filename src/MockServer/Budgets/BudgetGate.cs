using System.Globalization;
using MockServer.Hosting;
using MockServer.Http;

namespace MockServer.Budgets;

/// <summary>
/// The step both generation endpoints take after the cold-start gate and before the first byte (Endpoints/Admission):
/// admits a request against its key's token budget and per-minute limits, or answers 429. Over the budget the answer
/// is <c>insufficient_quota</c> without <c>Retry-After</c> and with <c>x-should-retry: false</c>, since waiting does not
/// help and a person must act (spec-facts §6.2: "may be omitted for 429 responses that require user action"); a request
/// larger than the per-minute token limit gets the same; over a per-minute limit it is
/// <c>rate_limit_exceeded</c> with <c>Retry-After</c> in whole seconds, at least 1. Keys with per-minute limits get
/// the <c>x-ratelimit-*</c> headers on every answer, as OpenAI sends them (spec-facts §6.4).
/// </summary>
internal static partial class BudgetGate
{
    /// <summary>The header the OpenAI Python and Node SDKs read before their own retry rules (spec-facts §6.4).</summary>
    public const string ShouldRetryHeader = "x-should-retry";

    /// <summary>
    /// Admits the request: a charge to settle once the answer is written, or null when the 429 has been written.
    /// <paramref name="maxCompletionTokens"/> is the most the request can generate (max_tokens × choices), for a
    /// reservation that keeps concurrent requests from spending more than the budget.
    /// </summary>
    public static async Task<UsageCharge?> AdmitAsync(HttpContext context, string model, int promptTokens, long maxCompletionTokens)
    {
        if (context.Features.Get<AuthenticatedKey>() is not { } key)
        {
            return UsageCharge.None;
        }

        var clock = context.RequestServices.GetRequiredService<MockServerOptions>().TimeProvider;
        var decision = key.Account.Admit(promptTokens + maxCompletionTokens, clock.GetUtcNow());
        RateLimitHeaders.Write(context.Response.Headers, decision.Rates);
        if (decision.Charge is { } charge)
        {
            return charge;
        }

        if (decision.Refusal is Refusal.RequestsPerMinute or Refusal.TokensPerMinute)
        {
            // Whole seconds, rounded up so a client that waits exactly this long finds the window reset, and at least 1.
            var seconds = (int)Math.Max(1, Math.Ceiling(decision.RetryAfter.TotalSeconds));
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
        else
        {
            // Over the budget, or larger than a minute's tokens: the same request fails the same way however long the
            // client waits, so tell SDKs that honour it not to retry (spec-facts §6.4, §11 item 6).
            context.Response.Headers[ShouldRetryHeader] = "false";
        }

        var error = BudgetErrors.For(key.Account.Name, decision);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MockServer.Budgets");
        LogRefused(logger, key.Account.Name, model, error.Code!, decision.Refusal);
        await ErrorWriter.WriteAsync(context, error).ConfigureAwait(false);
        return null;
    }

    [LoggerMessage(EventId = LogEvents.KeyRefused, Level = LogLevel.Information, Message = "Key {Key} refused on {Model}: 429 {Code} ({Refusal})")]
    private static partial void LogRefused(ILogger logger, string key, string model, string code, Refusal refusal);
}
