using System.Globalization;
using Conformance.Checks;
using Conformance.Reporting;

namespace Conformance.Matrix;

/// <summary>
/// What the markdown and HTML matrices both show: a row per check any target ran, in catalogue order, and a cell per
/// target holding that target's own <see cref="CheckReport"/> (null where the target did not run the check). Verdict
/// names and counts come from the report model, as in the JSON report and <c>diff</c>.
/// </summary>
internal sealed class MatrixTable
{
    public MatrixTable(IReadOnlyList<MatrixColumn> columns)
    {
        Columns = columns;
        var ran = columns.Where(c => c.Report is not null).SelectMany(c => c.Report!.Checks).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
        Rows = [.. Catalogue.All.Where(c => ran.Contains(c.Id)).Select(c => c.Id)];
        _cells = [.. columns.Select(c => c.Report?.Checks.ToDictionary(r => r.Id, StringComparer.Ordinal) ?? [])];
    }

    private readonly Dictionary<string, CheckReport>[] _cells;

    public IReadOnlyList<MatrixColumn> Columns { get; }

    /// <summary>Gets the check ids of the rows.</summary>
    public IReadOnlyList<string> Rows { get; }

    /// <summary>The check's title, as the catalogue has it.</summary>
    public static string Title(string id) => Catalogue.All.First(c => c.Id == id).Title;

    /// <summary>The target's report of the check, or null when it did not run it.</summary>
    public CheckReport? Cell(string id, int column) => _cells[column].GetValueOrDefault(id);

    /// <summary>A column's result in words: <c>pass (161 passed)</c>, <c>3 failed (150 passed, 1 warning)</c>, or why it was not checked.</summary>
    public static string Result(MatrixColumn column)
    {
        if (column.Report is not { } report)
        {
            return "not checked: " + column.Error;
        }

        var s = report.Summary;
        var parts = new List<string> { Count(s.Passed, "passed", "passed") };
        parts.AddRange(new (int N, string One, string Many)[] { (s.Warned, "warning", "warnings"), (s.Divergent, "divergence", "divergences"), (s.NotApplicable, "not applicable", "not applicable"), (s.Skipped, "skipped", "skipped") }
            .Where(p => p.N > 0).Select(p => Count(p.N, p.One, p.Many)));
        var head = report.Succeeded ? "pass" : s.Failed > 0 ? Count(s.Failed, "failed", "failed") : "incomplete";
        return $"{head} ({string.Join(", ", parts)})";
    }

    private static string Count(int n, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many)}");
}
