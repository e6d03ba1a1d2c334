using System.Collections.Concurrent;
using Conformance.Checks;
using Conformance.Http;
using Conformance.Profiles;

namespace Conformance;

/// <summary>Runs the conformance checks against an endpoint. The CLI and in-process tests (e.g. against the MockServer) share this entry point.</summary>
public static class ConformanceRunner
{
    /// <summary>Gets the names of the built-in profiles.</summary>
    public static IReadOnlyCollection<string> ProfileNames => [.. BuiltInProfiles.All.Keys];

    /// <summary>
    /// Runs every selected check that applies under the profile and returns the report. It does not throw for anything
    /// the endpoint does (hangs, resets, garbage, endless streams): those become failed checks with evidence.
    /// </summary>
    /// <param name="options">The endpoint, profile, selection and bounds.</param>
    /// <param name="cancellationToken">Cancels the run; unfinished checks are reported as not evaluated.</param>
    /// <returns>The report, checks in catalogue order.</returns>
    /// <exception cref="ArgumentException">The profile is unknown, a selector matches no check, or a bound is not positive.</exception>
    public static async Task<ConformanceReport> RunAsync(ConformanceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var profile = ResolveProfile(options.Profile);
        Validate(options);
        var selected = Select(options);

        var time = options.TimeProvider;
        var startedAt = time.GetUtcNow();
        var started = time.GetTimestamp();
        var redactor = Redactor.For(options);
        using var client = new EndpointClient(options, new TokenBudget(options.TokenBudget), redactor);
        using var runTimeout = new CancellationTokenSource(options.RunTimeout, time);
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, runTimeout.Token);
        var context = new CheckContext(options, profile, client, run.Token);

        var results = new ConcurrentDictionary<string, CheckReport>(StringComparer.Ordinal);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.MaxConcurrency) };

        // Aggregate checks read every exchange of the run, so they go last, and judge a finished log: the probes they
        // send of their own (a non-envelope 400 to errors.no-5xx's probe, a 503 to errors.retry-after's) are all
        // answered before any of them reads it. Otherwise a verdict would depend on which check got there first.
        var aggregates = selected.Where(c => c.Aggregate).ToList();
        await Evaluate(selected.Where(c => !c.Aggregate));
        try
        {
            // Probes a check left in flight (it returned on another probe's problem) land in the log before any aggregate reads it.
            await context.ProbesSettled();
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // Not lost: the client records every failure in its exchange; a check that awaits the probe reports it.
        }

        await Parallel.ForEachAsync(aggregates.Where(c => c.Prepare is not null && profile.LevelFor(c.Id) != CheckLevel.NotApplicable), parallel, async (check, _) =>
        {
            try
            {
                await check.Prepare!(context);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // Not lost: the check awaits the same cached probes and reports the failure against itself.
            }
        });
        await Evaluate(aggregates);

        Task Evaluate(IEnumerable<CheckDefinition> phase) =>
            Parallel.ForEachAsync(phase, parallel, async (check, _) =>
            {
                var report = await EvaluateAsync(check, context, profile, redactor);
                results[check.Id] = report;
                options.Progress?.Report(report);
            });

        var report = new ConformanceReport
        {
            StartedAt = startedAt,
            DurationMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
            Target = new ReportTarget { BaseUrl = redactor.Redact(EndpointClient.WithoutUserInfo(options.BaseUrl).ToString()), Model = options.Model, Profile = profile.Name },
            Checks = [.. selected.Select(c => results[c.Id])],
            Usage = new ReportUsage
            {
                TokenBudget = client.Budget.Limit,
                TokensSpent = client.Budget.Spent,
                Requests = client.Log.Sum(e => e.Attempts),
                Responses = client.ResponseCount,
                TransportRetries = client.TransportRetryCount,
                Retries = client.RetryCount,
                RetryWaitMs = (long)client.RetryWait.TotalMilliseconds,
            },
        };

        foreach (var (key, value) in context.Observations)
        {
            report.Observations[key] = redactor.Redact(value);
        }

        Summarise(report);
        return report;
    }

    /// <summary>
    /// Probes the target cheaply before a run and says, in one line, what makes it the wrong target: nothing listening,
    /// not HTTP (or <c>http://</c> to an https port), 404 on every route (e.g. a base URL without <c>/v1</c>), or the key
    /// refused on every route.
    /// </summary>
    /// <remarks>
    /// The CLI calls it before every run and stops with exit code 2 on a problem; <see cref="RunAsync"/> does not call
    /// it, so in-process callers that want it call it first. It sends at most four requests (the models probe is retried
    /// once after a close or reset), none of which can generate more than one token (docs/conformance.md, "Preflight").
    /// A target that accepts the connection but does not answer within a few seconds is not a problem here: it may be
    /// starting, and the checks' own timeouts apply; one whose TCP connection does not complete in that time is.
    /// </remarks>
    /// <param name="options">The endpoint and key; <see cref="ConformanceOptions.RequestTimeout"/> bounds each probe, at most 5 seconds.</param>
    /// <param name="cancellationToken">Cancels the probes.</param>
    /// <returns>Null when the checks should run; otherwise the problem and what to try, on one line, without the key.</returns>
    /// <exception cref="ArgumentException">The options are not valid (as for <see cref="RunAsync"/>).</exception>
    public static async Task<string?> PreflightAsync(ConformanceOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);
        var problem = await Preflight.RunAsync(options, cancellationToken);
        return problem is null ? null : Redactor.For(options).Redact(problem);
    }

    /// <summary>Resolves a profile name, case-insensitively.</summary>
    internal static Profile ResolveProfile(string? name)
    {
        var key = string.IsNullOrWhiteSpace(name) ? BuiltInProfiles.Default : name.Trim().ToLowerInvariant();
        return BuiltInProfiles.All.TryGetValue(key, out var profile)
            ? profile
            : throw new ArgumentException($"unknown profile '{name}'; known profiles: {string.Join(", ", BuiltInProfiles.All.Keys.Order(StringComparer.Ordinal))}", nameof(name));
    }

    /// <summary>The checks that <see cref="ConformanceOptions.Only"/> and <see cref="ConformanceOptions.Skip"/> select, in catalogue order.</summary>
    internal static List<CheckDefinition> Select(ConformanceOptions options)
    {
        foreach (var selector in options.Only.Concat(options.Skip))
        {
            if (!Catalogue.All.Any(c => Catalogue.Matches(c, selector)))
            {
                throw new ArgumentException($"'{selector}' matches no check id or category (see --list).", nameof(options));
            }
        }

        return [.. Catalogue.All.Where(c =>
            (options.Only.Count == 0 || options.Only.Any(s => Catalogue.Matches(c, s)))
            && !options.Skip.Any(s => Catalogue.Matches(c, s)))];
    }

    /// <summary>Throws <see cref="ArgumentException"/> for options no run can use; the CLI calls it before any request.</summary>
    internal static void Validate(ConformanceOptions options)
    {
        if (!options.BaseUrl.IsAbsoluteUri || options.BaseUrl.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The base URL must be an absolute http(s) URL, not '{options.BaseUrl}'.", nameof(options));
        }

        if (string.IsNullOrWhiteSpace(options.Model))
        {
            throw new ArgumentException("A model is required.", nameof(options));
        }

        if (options.TokenBudget <= 0 || options.MaxConcurrency <= 0 || options.MaxBodyBytes <= 0 || options.MaxStreamEvents <= 0 || options.MaxRetries < 0
            || options.RequestTimeout <= TimeSpan.Zero || options.RunTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("Budgets, caps, concurrency and timeouts must be positive.", nameof(options));
        }

        ExtraHeaders.Validate(options.Headers, "--header");
        ExtraHeaders.Validate(options.StreamHeaders, "--stream-header");
    }

    private static async Task<CheckReport> EvaluateAsync(CheckDefinition check, CheckContext context, Profile profile, Redactor redactor)
    {
        var level = profile.LevelFor(check.Id);
        var report = new CheckReport { Id = check.Id, Title = check.Title, Category = check.Category, Spec = check.Spec, Level = level };
        if (level == CheckLevel.NotApplicable)
        {
            report.Verdict = Verdict.NotApplicable;
            report.Message = $"not part of the {profile.Name} profile";
            return report;
        }

        var started = context.Options.TimeProvider.GetTimestamp();
        Outcome outcome;
        try
        {
            outcome = await check.Evaluate(context);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            // A bug in a check must not take the run down; it is reported against that check alone.
            outcome = Outcome.NotEvaluable($"the check could not be evaluated: {ex.GetType().Name}: {ex.Message}", null, "an evaluable response", ex.GetType().Name);
        }

        report.DurationMs = (long)context.Options.TimeProvider.GetElapsedTime(started).TotalMilliseconds;
        report.Message = redactor.Redact(outcome.Message);
        report.Verdict = (outcome.Kind, level) switch
        {
            (OutcomeKind.Pass, _) => Verdict.Pass,
            (OutcomeKind.NotApplicable, _) => Verdict.NotApplicable,
            (OutcomeKind.Skipped, _) => Verdict.Skipped,

            // A hang, a reset, a 5xx or an exception is never the behaviour a SHOULD or an expected divergence describes.
            (OutcomeKind.NotEvaluable, _) => Verdict.Fail,
            (OutcomeKind.Fail, CheckLevel.Should) => Verdict.Warn,
            (OutcomeKind.Fail, CheckLevel.ExpectedDivergence) => Verdict.Divergence,
            _ => Verdict.Fail,
        };
        if (outcome.Kind == OutcomeKind.Pass && level == CheckLevel.ExpectedDivergence)
        {
            report.Message = $"conforms, although the {profile.Name} profile expected a divergence: {report.Message}";
        }

        if (outcome.Evidence is { } evidence)
        {
            report.Evidence = new Evidence
            {
                Request = redactor.RedactOrNull(evidence.Request),
                Excerpt = redactor.RedactOrNull(evidence.Excerpt),
                Expected = redactor.RedactOrNull(evidence.Expected),
                Seen = redactor.RedactOrNull(evidence.Seen),
            };
        }

        return report;
    }

    /// <summary>The report's totals, counted from its checks (the one place they are counted).</summary>
    internal static void Summarise(ConformanceReport report)
    {
        var checks = report.Checks;
        report.Summary = new ReportSummary
        {
            Total = checks.Count,
            Passed = checks.Count(c => c.Verdict == Verdict.Pass),
            Failed = checks.Count(c => c.Verdict == Verdict.Fail),
            Warned = checks.Count(c => c.Verdict == Verdict.Warn),
            Divergent = checks.Count(c => c.Verdict == Verdict.Divergence),
            NotApplicable = checks.Count(c => c.Verdict == Verdict.NotApplicable),
            Skipped = checks.Count(c => c.Verdict == Verdict.Skipped),
        };

        // Behaviour summaries that diff reads as one fact each.
        foreach (var family in (string[])["validation", "chat.validation"])
        {
            CountAcceptedBooleans(report, family);
        }

        report.Observations["usage.tokens_spent"] = report.Usage.TokensSpent.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>How many <c>{family}.boolean.*</c> probes were accepted (a 2xx, or refused only after coercion): one fact for diff.</summary>
    private static void CountAcceptedBooleans(ConformanceReport report, string family)
    {
        var booleans = report.Checks.Where(c => c.Id.StartsWith(family + ".boolean.", StringComparison.Ordinal) && c.Verdict != Verdict.NotApplicable).ToList();
        if (booleans.Count > 0)
        {
            report.Observations[family + ".booleans_accepted"] = booleans
                .Count(c => (report.Observations.TryGetValue(c.Id + ".status", out var s) && s.StartsWith('2'))
                    || (report.Observations.TryGetValue(c.Id + ".coerced", out var coerced) && coerced == "true")) // refused only after coercion (spec-facts §12.1)
                .ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}
