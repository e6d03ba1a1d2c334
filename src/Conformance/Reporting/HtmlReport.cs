using System.Globalization;
using System.Text;
using System.Text.Json;
using Conformance.Http;

namespace Conformance.Reporting;

/// <summary>
/// The report as one HTML page people open and share (<c>--html FILE</c>): the target in the header, totals and a
/// table by category, then each failure with its evidence one click away (a <c>&lt;details&gt;</c>, keyboard
/// reachable, no script needed), and warnings, expected divergences and skipped checks in sections of their own.
/// </summary>
/// <remarks>
/// Built from the same <see cref="ConformanceReport"/> the JSON report serialises, with the JSON report's own names
/// for verdicts and levels, so the page and the JSON cannot disagree; the figures carry <c>data-total</c>,
/// <c>data-category</c>/<c>data-status</c> and <c>data-check</c> attributes for tools (and the browser test) to read.
/// </remarks>
internal static class HtmlReport
{
    /// <summary>The verdicts in the order the page shows them, with the column heading and the section heading of each.</summary>
    private static readonly (Verdict Verdict, string Column, string Section, string Anchor)[] Statuses =
    [
        (Verdict.Pass, "Passed", "Passed", "passed"),
        (Verdict.Fail, "Failed", "Failures", "failures"),
        (Verdict.Warn, "Warnings", "Warnings", "warnings"),
        (Verdict.Divergence, "Divergences", "Expected divergences", "divergences"),
        (Verdict.Skipped, "Skipped", "Skipped by the budget", "skipped"),
        (Verdict.NotApplicable, "N/A", "Not applicable", "not-applicable"),
    ];

    private static readonly Verdict[] SectionOrder = [Verdict.Fail, Verdict.Warn, Verdict.Divergence, Verdict.Skipped, Verdict.NotApplicable, Verdict.Pass];

    /// <summary>
    /// Renders the page. Every string of the report is passed through <paramref name="redactor"/> before it is escaped,
    /// so a key with characters HTML escapes (<c>&amp;</c>, <c>&lt;</c>) cannot survive in its escaped form; the
    /// caller still redacts the whole page once more, as it does the JSON and JUnit files.
    /// </summary>
    public static string Render(ConformanceReport report, Redactor? redactor = null)
    {
        ArgumentNullException.ThrowIfNull(report);
        string T(string? text) => HtmlPage.Text(text is null ? null : redactor?.Redact(text) ?? text);

        var s = report.Summary;
        var t = report.Target;
        var body = new StringBuilder();
        var verdictWord = report.Succeeded ? "passed" : "failed";
        body.Append("<header>\n<h1>Conformance report <span class=\"badge ").Append(report.Succeeded ? "pass" : "fail")
            .Append("\" data-outcome=\"").Append(verdictWord).Append("\">").Append(verdictWord).Append("</span></h1>\n<dl class=\"meta\">\n");
        Meta(body, "Target", "base-url", "<code>" + T(t.BaseUrl) + "</code>");
        Meta(body, "Model", "model", T(t.Model));
        Meta(body, "Profile", "profile", T(t.Profile));
        Meta(body, "Started", "started", HtmlPage.Text(report.StartedAt.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture)));
        Meta(body, "Duration", "duration-ms", Invariant($"{report.DurationMs} ms"));
        var u = report.Usage;
        Meta(body, "Requests", "requests", Invariant($"{u.Requests} sent, {u.Responses} answered; {u.Retries} retried after 429/503 (waited {u.RetryWaitMs} ms), {u.TransportRetries} resent after a transport race"));
        Meta(body, "Tokens", "tokens", Invariant($"{u.TokensSpent} of a {u.TokenBudget} budget"));
        Meta(body, "Report", "schema", "schema " + T(report.SchemaVersion) + " (the JSON report, <code>--json</code>, holds the same figures)");
        body.Append("</dl>\n");
        if (report.NothingAnswered)
        {
            body.Append(Invariant($"<p class=\"fail\"><strong>Nothing answered:</strong> 0 of {u.Requests} requests got a response; is the server running at <code>{T(t.BaseUrl)}</code>?</p>\n"));
        }

        body.Append("</header>\n");

        // Totals: the report's own summary, exactly as the JSON report has it.
        body.Append("<ul class=\"totals\" aria-label=\"Totals\">\n");
        body.Append(Invariant($"<li class=\"muted\"><span data-total=\"total\">{s.Total}</span>checks</li>\n"));
        foreach (var (verdict, column, _, anchor) in Statuses)
        {
            body.Append(Invariant($"<li class=\"{ReportNames.Of(verdict)}\"><a href=\"#{anchor}\" class=\"{ReportNames.Of(verdict)}\"><span data-total=\"{ReportNames.Of(verdict)}\">{Count(s, verdict)}</span>{column}</a></li>\n"));
        }

        body.Append("</ul>\n");

        Categories(body, report, T);

        // What needs action first; passes and not-applicable checks last, folded.
        foreach (var (verdict, _, section, anchor) in Statuses.OrderBy(x => Array.IndexOf(SectionOrder, x.Verdict)))
        {
            var checks = report.Checks.Where(c => c.Verdict == verdict).ToList();
            body.Append(Invariant($"<section id=\"{anchor}\" data-section=\"{ReportNames.Of(verdict)}\">\n<h2>{section} ({checks.Count})</h2>\n"));
            if (checks.Count == 0)
            {
                body.Append("<p class=\"muted\">None.</p>\n");
            }
            else if (verdict is Verdict.Pass or Verdict.NotApplicable)
            {
                // Many and rarely read: one list behind one click.
                body.Append(Invariant($"<details><summary>Show the {checks.Count} checks</summary>\n<div class=\"body\"><ul class=\"plain\">\n"));
                foreach (var check in checks)
                {
                    body.Append("<li data-check=\"").Append(T(check.Id)).Append("\" data-verdict=\"").Append(ReportNames.Of(check.Verdict)).Append("\"><code>").Append(T(check.Id)).Append("</code> ")
                        .Append(T(verdict == Verdict.Pass ? check.Title : check.Message)).Append("</li>\n");
                }

                body.Append("</ul></div>\n</details>\n");
            }
            else
            {
                // The first failure opens by itself, so the page shows a piece of evidence without a click.
                for (var i = 0; i < checks.Count; i++)
                {
                    Check(body, checks[i], T, open: i == 0 && verdict == Verdict.Fail);
                }
            }

            body.Append("</section>\n");
        }

        Observations(body, report, T);
        return HtmlPage.Document($"Conformance report: {redactor?.Redact(t.Profile) ?? t.Profile}, {redactor?.Redact(t.BaseUrl) ?? t.BaseUrl}", body.ToString());
    }

    private static int Count(ReportSummary s, Verdict verdict) => verdict switch
    {
        Verdict.Pass => s.Passed,
        Verdict.Fail => s.Failed,
        Verdict.Warn => s.Warned,
        Verdict.Divergence => s.Divergent,
        Verdict.NotApplicable => s.NotApplicable,
        _ => s.Skipped,
    };

    private static void Meta(StringBuilder body, string label, string field, string html) =>
        body.Append("<dt>").Append(label).Append("</dt><dd data-field=\"").Append(field).Append("\">").Append(html).Append("</dd>\n");

    private static void Categories(StringBuilder body, ConformanceReport report, Func<string?, string> t)
    {
        body.Append("<section id=\"categories\">\n<h2>Summary by category</h2>\n<table>\n<thead><tr><th scope=\"col\">Category</th><th scope=\"col\">Checks</th>");
        foreach (var (_, column, _, _) in Statuses)
        {
            body.Append("<th scope=\"col\">").Append(column).Append("</th>");
        }

        body.Append("</tr></thead>\n<tbody>\n");
        foreach (var category in report.Checks.GroupBy(c => c.Category, StringComparer.Ordinal))
        {
            var name = t(category.Key);
            body.Append("<tr data-category=\"").Append(name).Append("\"><th scope=\"row\">").Append(name).Append("</th>");
            Cell(body, "total", category.Count());
            foreach (var (verdict, _, _, _) in Statuses)
            {
                Cell(body, ReportNames.Of(verdict), category.Count(c => c.Verdict == verdict));
            }

            body.Append("</tr>\n");
        }

        var s = report.Summary;
        body.Append("</tbody>\n<tfoot><tr data-category-sum=\"all\"><th scope=\"row\">All</th>");
        Cell(body, "total", s.Total);
        foreach (var (verdict, _, _, _) in Statuses)
        {
            Cell(body, ReportNames.Of(verdict), Count(s, verdict));
        }

        body.Append("</tr></tfoot>\n</table>\n</section>\n");
    }

    private static void Cell(StringBuilder body, string status, int count) =>
        body.Append(Invariant($"<td data-status=\"{status}\"{(count == 0 ? " class=\"zero\"" : string.Empty)}>{count}</td>"));

    /// <summary>One check with its evidence behind a click: the summary line says what broke, the body shows the proof.</summary>
    private static void Check(StringBuilder body, CheckReport check, Func<string?, string> t, bool open)
    {
        var verdict = ReportNames.Of(check.Verdict);
        body.Append("<details data-check=\"").Append(t(check.Id)).Append("\" data-verdict=\"").Append(verdict).Append(open ? "\" open>\n<summary>" : "\">\n<summary>")
            .Append("<span class=\"badge ").Append(verdict).Append("\">").Append(verdict).Append("</span> <code>").Append(t(check.Id)).Append("</code> ")
            .Append("<span class=\"muted\">[").Append(ReportNames.Of(check.Level)).Append("]</span> ").Append(t(check.Message)).Append("</summary>\n<div class=\"body\">\n")
            .Append("<p>").Append(t(check.Title)).Append(" <span class=\"muted\">(").Append(t(check.Spec)).Append(Invariant($", {check.DurationMs} ms)</span></p>\n"));
        if (check.Evidence is { } e)
        {
            Evidence(body, "Expected", "expected", e.Expected, t);
            Evidence(body, "Seen", "seen", e.Seen, t);
            Evidence(body, "Request", "request", e.Request, t);
            Evidence(body, "Response excerpt", "excerpt", e.Excerpt, t);
        }
        else
        {
            body.Append("<p class=\"muted\">No evidence recorded.</p>\n");
        }

        body.Append("</div>\n</details>\n");
    }

    private static void Evidence(StringBuilder body, string label, string field, string? text, Func<string?, string> t)
    {
        if (text is null)
        {
            return;
        }

        body.Append("<h3>").Append(label).Append("</h3>\n<pre data-evidence=\"").Append(field).Append("\">").Append(t(text)).Append("</pre>\n");
    }

    private static void Observations(StringBuilder body, ConformanceReport report, Func<string?, string> t)
    {
        body.Append(Invariant($"<section id=\"observations\">\n<h2>Observed behaviours ({report.Observations.Count})</h2>\n"));
        if (report.Observations.Count == 0)
        {
            body.Append("<p class=\"muted\">None.</p>\n</section>\n");
            return;
        }

        body.Append("<p class=\"muted\">Facts the run saw, which <code>diff</code> compares between two reports.</p>\n<details><summary>Show them</summary>\n<div class=\"body\"><table>\n<thead><tr><th scope=\"col\">Behaviour</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>\n");
        foreach (var (key, value) in report.Observations)
        {
            body.Append("<tr><td><code>").Append(t(key)).Append("</code></td><td class=\"left\"><code>").Append(t(value)).Append("</code></td></tr>\n");
        }

        body.Append("</tbody>\n</table></div>\n</details>\n</section>\n");
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
