using System.Globalization;
using System.Text.RegularExpressions;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// The <c>x-ratelimit-*</c> headers, judged on every answer of the run that carries them (the suite never spends a budget
/// to make them appear): limits and remainders are non-negative integers, a remainder is at most its limit, and a reset
/// is a duration as OpenAI writes it, e.g. <c>1s</c>, <c>6m0s</c>, <c>20ms</c> (spec-facts §6.2, §6.4), or, outside
/// the profiles that follow OpenAI, a bare number of seconds such as Cerebras's <c>11.38</c>.
/// </summary>
/// <remarks>
/// The headers are optional and only OpenAI documents their format (§6.4 [O]), so the rule is a MUST under the openai
/// profile and a SHOULD elsewhere. A header may come more than once (a proxy repeats it, on two field lines or joined by
/// commas as RFC 9110 §5.3 allows): every value is judged on its own.
/// </remarks>
internal static partial class RateLimitHeaderCheck
{
    public static CheckDefinition Definition() =>
        new("limits.ratelimit-headers", "x-ratelimit-* headers, where sent, are well formed: integer limit and remaining (remaining <= limit), reset as a duration such as 6m0s (or seconds, outside the openai profile)", "spec-facts §6.2, §6.4",
            Evaluate, Aggregate: true, Prepare: ErrorChecks.RetryProbe);

    private static async Task<Outcome> Evaluate(CheckContext ctx)
    {
        // One cheap request of its own (shared with errors.retry-after), so an endpoint that sends the headers on every
        // answer shows them even when this check runs alone.
        var own = await ErrorChecks.RetryProbe(ctx);
        var sightings = ctx.Client.RateLimits.ToList();
        if (sightings.Count == 0)
        {
            return own.Status is null && own.Failure != TransportFailure.None
                ? Outcome.FromTransport(own)
                : Outcome.NotApplicable($"no answer of this run carried x-ratelimit-* headers ({ctx.Client.ResponseCount} answers), so there are none to judge");
        }

        ctx.Observe("limits.ratelimit_headers", string.Join(",", sightings.SelectMany(s => s.Headers.Select(h => h.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)));
        foreach (var sighting in sightings)
        {
            if (Problem(sighting, ctx.Profile.RateLimitResetAsDuration) is { } problem)
            {
                return Outcome.Fail(
                    $"an HTTP {sighting.Status} answer carries a malformed rate-limit header: {problem.Message}", sighting.Exchange, problem.Expected, problem.Seen,
                    $"HTTP {sighting.Status}\n" + string.Join("\n", sighting.Headers.Select(h => $"{h.Key}: {h.Value}")));
            }
        }

        return Outcome.Pass($"{sightings.Count} answer(s) with x-ratelimit-* headers, all well formed");
    }

    private static (string Message, string Expected, string Seen)? Problem(RateLimitSighting sighting, bool durationOnly)
    {
        var limits = new Dictionary<string, long>(StringComparer.Ordinal);
        var remaining = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, line) in sighting.Headers)
        {
            var rest = name[RateLimitSighting.Prefix.Length..];
            var count = Take(rest, "limit-") is { } limitOf ? (limits, limitOf) : Take(rest, "remaining-") is { } remainingOf ? (remaining, remainingOf) : default;
            foreach (var value in line.Split(',', StringSplitOptions.TrimEntries))
            {
                if (count.Item1 is not null)
                {
                    // A count: RFC 9110's 1*DIGIT, as OpenAI sends (spec-facts §6.4); no sign, fraction or unit.
                    if (!Digits().IsMatch(value) || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                    {
                        return ($"{name} is not a non-negative integer", $"{name}: <non-negative integer>", $"{name}: {value}");
                    }

                    // Repeated values (layered proxies) are each a limit: a remainder above every limit of its kind is
                    // wrong whichever layer sent it, so the largest of each is what is compared.
                    count.Item1[count.Item2] = Math.Max(n, count.Item1.GetValueOrDefault(count.Item2));
                }
                else if (Take(rest, "reset-") is not null && !Duration().IsMatch(value) && (durationOnly || !Seconds().IsMatch(value)))
                {
                    return durationOnly
                        ? ($"{name} is not a duration as OpenAI writes it", $"{name}: <duration, e.g. 1s, 6m0s, 20ms>", $"{name}: {value}")
                        : ($"{name} is neither a duration nor a number of seconds", $"{name}: <duration, e.g. 6m0s, 20ms; or seconds, e.g. 11.38>", $"{name}: {value}");
                }
            }
        }

        foreach (var (what, left) in remaining)
        {
            if (limits.TryGetValue(what, out var limit) && left > limit)
            {
                return ($"x-ratelimit-remaining-{what} exceeds x-ratelimit-limit-{what}", $"remaining <= limit ({limit.ToString(CultureInfo.InvariantCulture)})",
                    $"x-ratelimit-remaining-{what}: {left.ToString(CultureInfo.InvariantCulture)}, x-ratelimit-limit-{what}: {limit.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        return null;
    }

    /// <summary>The part of <paramref name="rest"/> after <paramref name="prefix"/>, or null when it does not start with it or names nothing.</summary>
    private static string? Take(string rest, string prefix) =>
        rest.StartsWith(prefix, StringComparison.Ordinal) && rest.Length > prefix.Length ? rest[prefix.Length..] : null;

    [GeneratedRegex("^[0-9]+$", RegexOptions.CultureInvariant)]
    private static partial Regex Digits();

    /// <summary>Go's time.Duration text, which OpenAI's headers use: one or more number-unit pairs, e.g. 1h2m3.5s, 20ms, 0s.</summary>
    [GeneratedRegex(@"^(?:[0-9]+(?:\.[0-9]+)?(?:h|m|s|ms|us|µs|ns))+$", RegexOptions.CultureInvariant)]
    private static partial Regex Duration();

    /// <summary>A bare non-negative number of seconds, e.g. Cerebras's <c>11.38</c> or <c>33011.38</c>.</summary>
    [GeneratedRegex(@"^[0-9]+(?:\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Seconds();
}
