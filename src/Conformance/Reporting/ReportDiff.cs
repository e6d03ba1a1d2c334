using System.Text;

namespace Conformance.Reporting;

/// <summary>
/// Compares two reports, typically before and after a backend upgrade: every verdict that changed and every observed
/// behaviour that changed (usage chunk appeared, booleans now accepted, token counts differ).
/// </summary>
internal static class ReportDiff
{
    /// <summary>One difference.</summary>
    /// <param name="Key">The check id or observation key.</param>
    /// <param name="Old">The old value, or null when absent.</param>
    /// <param name="New">The new value, or null when absent.</param>
    /// <param name="Regression">Whether the change makes the new endpoint worse.</param>
    internal sealed record Change(string Key, string? Old, string? New, bool Regression);

    internal sealed record Result(IReadOnlyList<Change> Verdicts, IReadOnlyList<Change> Observations, IReadOnlyList<string> Notes)
    {
        public bool Regressed => Verdicts.Any(v => v.Regression);
    }

    public static Result Compare(ConformanceReport before, ConformanceReport after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var notes = new List<string>();
        if (before.Target.Profile != after.Target.Profile)
        {
            notes.Add($"profiles differ: {before.Target.Profile} -> {after.Target.Profile}; levels may differ too");
        }

        var old = before.Checks.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var now = after.Checks.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var verdicts = new List<Change>();
        foreach (var id in old.Keys.Union(now.Keys).Order(StringComparer.Ordinal))
        {
            var o = old.GetValueOrDefault(id);
            var n = now.GetValueOrDefault(id);
            if (o?.Verdict == n?.Verdict)
            {
                continue;
            }

            var regression = n is not null && Rank(n.Verdict) > (o is null ? 0 : Rank(o.Verdict));
            verdicts.Add(new Change(id, o is null ? null : ReportNames.Of(o.Verdict), n is null ? null : ReportNames.Of(n.Verdict), regression));
        }

        var observations = new List<Change>();
        foreach (var key in before.Observations.Keys.Union(after.Observations.Keys).Order(StringComparer.Ordinal))
        {
            var o = before.Observations.GetValueOrDefault(key);
            var n = after.Observations.GetValueOrDefault(key);
            if (o != n)
            {
                observations.Add(new Change(key, o, n, false));
            }
        }

        return new Result(verdicts, observations, notes);
    }

    public static string Render(Result result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        foreach (var note in result.Notes)
        {
            sb.Append("note: ").Append(note).Append('\n');
        }

        sb.Append("verdict changes: ").Append(result.Verdicts.Count).Append('\n');
        foreach (var c in result.Verdicts)
        {
            sb.Append("  ").Append(c.Key).Append(": ").Append(c.Old ?? "(absent)").Append(" -> ").Append(c.New ?? "(absent)")
                .Append(c.Regression ? "  REGRESSION" : string.Empty).Append('\n');
        }

        sb.Append("observed behaviour changes: ").Append(result.Observations.Count).Append('\n');
        foreach (var c in result.Observations)
        {
            sb.Append("  ").Append(c.Key).Append(": ").Append(c.Old ?? "(absent)").Append(" -> ").Append(c.New ?? "(absent)").Append('\n');
        }

        sb.Append(result.Regressed ? $"{result.Verdicts.Count(v => v.Regression)} regression(s)\n" : "no regression\n");
        return sb.ToString();
    }

    // Higher is worse; a divergence the profile expects is better than a warning but worse than a pass.
    private static int Rank(Verdict verdict) => verdict switch
    {
        Verdict.Pass or Verdict.NotApplicable => 0,
        Verdict.Divergence => 1,
        Verdict.Warn => 2,
        Verdict.Skipped => 3,
        _ => 4,
    };
}
