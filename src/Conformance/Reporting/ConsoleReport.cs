using System.Globalization;
using System.Text;

namespace Conformance.Reporting;

/// <summary>The human-readable output: a progress line per check while running, then a summary grouped by category.</summary>
internal static class ConsoleReport
{
    /// <summary>A progress line: counter, verdict, id.</summary>
    public static string Progress(CheckReport check, int done, int total) =>
        string.Create(CultureInfo.InvariantCulture, $"[{done,3}/{total}] {Tag(check.Verdict)} {check.Id}");

    public static string Summary(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"Conformance of {Clean(report.Target.BaseUrl)} (model {Clean(report.Target.Model)}, profile {Clean(report.Target.Profile)})\n\n");
        foreach (var category in report.Checks.GroupBy(c => c.Category))
        {
            var passed = category.Count(c => c.Verdict == Verdict.Pass);
            sb.Append(CultureInfo.InvariantCulture, $"{Clean(category.Key)} ({passed}/{category.Count()} passed)\n");
            foreach (var run in Runs(category.Where(c => c.Verdict != Verdict.Pass)))
            {
                var check = run[0];
                sb.Append(CultureInfo.InvariantCulture, $"  {Tag(check.Verdict)} {Clean(check.Id)} [{Level(check.Level)}] {Clean(check.Message)}\n");
                if (ShowsEvidence(check) && check.Evidence is { } e)
                {
                    sb.Append("         expected: ").Append(OneLine(e.Expected)).Append('\n');
                    sb.Append("         seen:     ").Append(OneLine(e.Seen)).Append('\n');
                    if (e.Request is not null)
                    {
                        // The request is the suite's own text: shown line by line, as it was sent (each line still cleaned).
                        sb.Append("         request:\n");
                        foreach (var line in e.Request.Split('\n'))
                        {
                            sb.Append(line.Length == 0 ? string.Empty : "           " + Cut(Clean(line), RequestLineMax)).Append('\n');
                        }
                    }

                    if (e.Excerpt is not null)
                    {
                        sb.Append("         excerpt:  ").Append(OneLine(e.Excerpt)).Append('\n');
                    }
                }

                if (run.Count > 1)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"         and {run.Count - 1} more with the same reason: {Others(run)}\n");
                }
            }
        }

        var s = report.Summary;
        sb.Append(CultureInfo.InvariantCulture, $"\n{s.Passed} passed, {s.Failed} failed, {s.Warned} warnings, {s.Divergent} expected divergences, {s.NotApplicable} not applicable, {s.Skipped} skipped\n");
        var u = report.Usage;
        var transport = u.TransportRetries > 0 ? $"; resent after a transport race: {u.TransportRetries}" : string.Empty;
        sb.Append(CultureInfo.InvariantCulture, $"tokens spent: {u.TokensSpent} of {u.TokenBudget}; requests: {u.Requests}; retries: {u.Retries} (waited {u.RetryWaitMs} ms){transport}; {report.DurationMs} ms\n");
        if (report.NothingAnswered)
        {
            // The one line that explains every failure above: nothing was there to judge.
            sb.Append(CultureInfo.InvariantCulture, $"nothing answered: 0 of {u.Requests} requests got a response; is the server running at {Clean(report.Target.BaseUrl)}?\n");
        }
        return sb.ToString();
    }

    /// <summary>How many ids a collapsed block names before it says "…"; the JSON and JUnit reports list every check.</summary>
    private const int NamedInRun = 5;

    /// <summary>A request line is cut here: the body is already cut to 1,000 characters when the request is described.</summary>
    private const int RequestLineMax = 1_200;

    public static string Level(CheckLevel level) => level switch
    {
        CheckLevel.Must => "MUST",
        CheckLevel.Should => "SHOULD",
        CheckLevel.ExpectedDivergence => "DIVERGENCE",
        _ => "N/A",
    };

    private static string Tag(Verdict verdict) => verdict switch
    {
        Verdict.Pass => "PASS",
        Verdict.Fail => "FAIL",
        Verdict.Warn => "WARN",
        Verdict.Divergence => "DIVG",
        Verdict.NotApplicable => "N/A ",
        _ => "SKIP",
    };

    private static bool ShowsEvidence(CheckReport check) => check.Verdict is Verdict.Fail or Verdict.Warn or Verdict.Divergence;

    /// <summary>
    /// Consecutive checks that read the same (verdict, message and the evidence shown) as one run: one configuration
    /// problem, such as a model without a chat template, fails every check of a category with the same request and
    /// answer, and printed 65 times it reads like 65 defects.
    /// </summary>
    private static List<List<CheckReport>> Runs(IEnumerable<CheckReport> checks)
    {
        var runs = new List<List<CheckReport>>();
        foreach (var check in checks)
        {
            if (runs.Count > 0 && SameReason(runs[^1][0], check))
            {
                runs[^1].Add(check);
            }
            else
            {
                runs.Add([check]);
            }
        }

        return runs;
    }

    private static bool SameReason(CheckReport a, CheckReport b) =>
        a.Verdict == b.Verdict && a.Message == b.Message
        && (!ShowsEvidence(a) || (a.Evidence is null && b.Evidence is null)
            || (a.Evidence is { } x && b.Evidence is { } y && x.Expected == y.Expected && x.Seen == y.Seen && x.Request == y.Request && x.Excerpt == y.Excerpt));

    /// <summary>The ids of a run after its first, a level that differs from the first's named after the id.</summary>
    private static string Others(List<CheckReport> run)
    {
        var named = run.Skip(1).Take(NamedInRun)
            .Select(c => Clean(c.Id) + (c.Level == run[0].Level ? string.Empty : $" [{Level(c.Level)}]"));
        return string.Join(", ", named) + (run.Count - 1 > NamedInRun ? ", …" : string.Empty);
    }

    private static string OneLine(string? text) => Cut(Clean(text), 300);

    private static string Cut(string text, int max) => text.Length <= max ? text : string.Concat(text.AsSpan(0, max), "…");

    /// <summary>
    /// One line, and no raw control bytes from a hostile endpoint reaching the terminal: messages quote endpoint text
    /// too. CR and LF are shown escaped; other controls (ESC, C1, NUL) and bidi or line/paragraph separators become '?'.
    /// </summary>
    private static string Clean(string? text) =>
        new([.. (text ?? string.Empty).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)
            .Select(ch => char.IsControl(ch) || IsFormatting(ch) ? '?' : ch)]);

    private static bool IsFormatting(char ch) =>
        ch is '\u2028' or '\u2029' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
