using Conformance.Http;

namespace Conformance.Checks;

/// <summary>A catalogue entry: stable id, title, category, the spec section it enforces, and how it is evaluated.</summary>
/// <param name="Id">The stable id; its first segment is the category.</param>
/// <param name="Title">A one-line title.</param>
/// <param name="Spec">The spec section, e.g. <c>spec-facts §4.3</c>.</param>
/// <param name="Evaluate">Evaluates the check; it may share probes with other checks.</param>
/// <param name="Aggregate">Whether the check reads every exchange of the run, so it runs after the others.</param>
/// <param name="Prepare">
/// For an aggregate check, sends the probes it needs of its own. Every aggregate check's probes are settled before any
/// aggregate check reads the log, so no verdict depends on whether another check's probe was answered in time.
/// </param>
internal sealed record CheckDefinition(
    string Id, string Title, string Spec, Func<CheckContext, Task<Outcome>> Evaluate, bool Aggregate = false, Func<CheckContext, Task>? Prepare = null)
{
    public string Category => Id[..Id.IndexOf('.', StringComparison.Ordinal)];
}

/// <summary>What a check found, before the profile's level turns it into a verdict.</summary>
internal sealed record Outcome(OutcomeKind Kind, string Message, Evidence? Evidence = null)
{
    public static Outcome Pass(string message = "ok") => new(OutcomeKind.Pass, message);

    public static Outcome NotApplicable(string reason) => new(OutcomeKind.NotApplicable, reason);

    /// <summary>A failure with evidence taken from <paramref name="exchange"/>.</summary>
    public static Outcome Fail(string message, Exchange? exchange, string expected, string seen, string? excerpt = null) =>
        new(OutcomeKind.Fail, message, new Evidence
        {
            Request = exchange?.RequestText,
            Excerpt = excerpt ?? exchange?.Describe(),
            Expected = expected,
            Seen = seen,
        });

    /// <summary>
    /// The endpoint did not answer in a way the rule can be judged on (transport failure, 5xx, an exception): a failure
    /// whatever the profile's level, because a hang or a reset is never the divergence a profile expects.
    /// </summary>
    public static Outcome NotEvaluable(string message, Exchange? exchange, string expected, string seen, string? excerpt = null) =>
        Fail(message, exchange, expected, seen, excerpt) with { Kind = OutcomeKind.NotEvaluable };

    /// <summary>
    /// Judges a non-transport answer with the wrong status: a 5xx is not evaluable (it is no behaviour a rule or a
    /// profile can expect), any other status is an ordinary failure of the rule.
    /// </summary>
    public static Outcome WrongStatus(string message, Exchange exchange, string expected, string seen, string? excerpt = null)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return exchange.Status is >= 500
            ? NotEvaluable($"not evaluable: {message}", exchange, expected, seen, excerpt)
            : Fail(message, exchange, expected, seen, excerpt);
    }

    /// <summary>Turns a transport problem into an outcome: a budget stop is a skip, anything else is not evaluable.</summary>
    public static Outcome FromTransport(Exchange exchange)
    {
        if (exchange.Failure == TransportFailure.BudgetExhausted)
        {
            return new(OutcomeKind.Skipped, exchange.FailureDetail ?? "token budget exhausted");
        }

        var what = exchange.Failure switch
        {
            TransportFailure.Timeout => "the endpoint did not answer in time",
            TransportFailure.RunTimeout => "not evaluated: the run timeout elapsed",
            TransportFailure.Connection => "the connection failed",
            TransportFailure.BodyTooLarge => "the body exceeded the byte cap",
            TransportFailure.StreamCapReached => "the stream exceeded the cap (endless stream?)",
            _ => "the request did not complete",
        };
        return NotEvaluable($"{what}: {exchange.FailureDetail}", exchange, "a complete response", exchange.Failure.ToString());
    }
}

/// <summary>The raw result of evaluating a check.</summary>
internal enum OutcomeKind
{
    Pass,
    Fail,

    /// <summary>The endpoint failed before the rule could be judged (transport failure, 5xx, exception): fails at every level.</summary>
    NotEvaluable,
    NotApplicable,
    Skipped,
}
