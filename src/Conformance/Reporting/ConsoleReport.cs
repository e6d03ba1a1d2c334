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
            foreach (var check in category.Where(c => c.Verdict != Verdict.Pass))
            {
                sb.Append(CultureInfo.InvariantCulture, $"  {Tag(check.Verdict)} {Clean(check.Id)} [{Level(check.Level)}] {Clean(check.Message)}\n");
                if (check.Verdict is Verdict.Fail or Verdict.Warn or Verdict.Divergence && check.Evidence is { } e)
                {
                    sb.Append("         expected: ").Append(OneLine(e.Expected)).Append('\n');
                    sb.Append("         seen:     ").Append(OneLine(e.Seen)).Append('\n');
                    if (e.Request is not null)
                    {
                        sb.Append("         request:  ").Append(OneLine(e.Request)).Append('\n');
                    }

                    if (e.Excerpt is not null)
                    {
                        sb.Append("         excerpt:  ").Append(OneLine(e.Excerpt)).Append('\n');
                    }
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

    private static string OneLine(string? text)
    {
        var flat = Clean(text);
        return flat.Length <= 300 ? flat : string.Concat(flat.AsSpan(0, 300), "…");
    }

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
