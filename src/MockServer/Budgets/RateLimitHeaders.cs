using System.Globalization;
using System.Text;
using Microsoft.Extensions.Primitives;

namespace MockServer.Budgets;

/// <summary>
/// OpenAI's <c>x-ratelimit-limit-*</c>, <c>x-ratelimit-remaining-*</c> and <c>x-ratelimit-reset-*</c> headers for
/// requests and tokens (spec-facts §6.4), on every answer to a key with per-minute limits, admitted or refused.
/// </summary>
internal static class RateLimitHeaders
{
    public static void Write(IHeaderDictionary headers, RateState state)
    {
        Write(headers, "requests", state.Requests);
        Write(headers, "tokens", state.Tokens);
    }

    /// <summary>
    /// A reset as OpenAI writes it, in Go's duration style: <c>12ms</c> under a second, else <c>59.5s</c>, <c>1m0s</c>,
    /// <c>1h2m3s</c>; whole milliseconds rounded up, so a client that waits exactly this long finds the window reset.
    /// </summary>
    public static string Duration(TimeSpan span)
    {
        if (span <= TimeSpan.Zero)
        {
            return "0s";
        }

        var ms = (long)Math.Ceiling(span.TotalMilliseconds);
        if (ms < 1000)
        {
            return ms.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var text = new StringBuilder();
        var hours = ms / 3_600_000;
        var minutes = ms / 60_000 % 60;
        if (hours > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || minutes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        var seconds = ms % 60_000 / 1000m;
        return text.Append(seconds.ToString("0.###", CultureInfo.InvariantCulture)).Append('s').ToString();
    }

    private static void Write(IHeaderDictionary headers, string what, LimitState? limit)
    {
        if (limit is not { } l)
        {
            return;
        }

        headers[$"x-ratelimit-limit-{what}"] = new StringValues(l.Limit.ToString(CultureInfo.InvariantCulture));
        headers[$"x-ratelimit-remaining-{what}"] = new StringValues(l.Remaining.ToString(CultureInfo.InvariantCulture));
        headers[$"x-ratelimit-reset-{what}"] = new StringValues(Duration(l.Reset));
    }
}
