using System.Text;
using Conformance.Matrix;

namespace Conformance.Reporting;

/// <summary>
/// The matrix as a markdown page: the targets (one line each, with the result), then one table of verdicts per check
/// (rows) and target (columns). Text that comes from the config or an endpoint is escaped so it cannot break a table.
/// </summary>
internal static class MatrixMarkdown
{
    /// <summary>What a cell shows when its target did not run the check (not selected, or the target was not checked).</summary>
    public const string NotRun = "—";

    public static string Render(MatrixTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder("# Conformance matrix\n\n");
        sb.Append("| Target | Base URL | Model | Profile | Result |\n|---|---|---|---|---|\n");
        foreach (var column in table.Columns)
        {
            var t = column.Target;
            var result = MatrixTable.Result(column);
            sb.Append("| ").Append(Cell(t.Name)).Append(" | ").Append(Cell(column.Report?.Target.BaseUrl ?? t.BaseUrl.ToString()))
                .Append(" | ").Append(Cell(t.Model)).Append(" | ").Append(Cell(t.Profile))
                .Append(" | ").Append(column.Succeeded ? Cell(result) : "**" + Cell(result) + "**").Append(" |\n");
        }

        sb.Append("\n| Check |");
        foreach (var column in table.Columns)
        {
            sb.Append(' ').Append(Cell(column.Target.Name)).Append(" |");
        }

        sb.Append("\n|---|").Append(string.Concat(Enumerable.Repeat("---|", table.Columns.Count))).Append('\n');
        foreach (var id in table.Rows)
        {
            sb.Append("| `").Append(id).Append("` |");
            for (var i = 0; i < table.Columns.Count; i++)
            {
                var name = table.Cell(id, i) is { } check ? ReportNames.Of(check.Verdict) : NotRun;
                sb.Append(' ').Append(name == "fail" ? "**fail**" : name).Append(" |");
            }

            sb.Append('\n');
        }

        sb.Append('\n').Append(Legend).Append('\n');
        return sb.ToString();
    }

    /// <summary>What the verdicts mean; the HTML page says the same.</summary>
    public const string Legend =
        "pass: the rule is kept; fail: a MUST rule is broken or the check could not be evaluated; warn: a SHOULD rule is broken; "
        + "divergence: broken the way the target's profile expects; not-applicable: not part of the profile (or needs a key); "
        + "skipped: stopped by the token budget; " + NotRun + ": not run for that target (not selected, or the target was not checked). "
        + "Each target's messages and evidence are in its report (--json).";

    /// <summary>
    /// One line of literal text in a table cell: pipes, backslashes, markup and emphasis characters escaped, line breaks
    /// and other control characters shown as spaces, so an endpoint's message cannot end the cell or add markup.
    /// </summary>
    internal static string Cell(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            if (char.IsControl(ch) || ch is '\u2028' or '\u2029')
            {
                sb.Append(' ');
            }
            else if (ch is '\\' or '|' or '`' or '*' or '_' or '[' or ']' or '<' or '>' or '#' or '~' or '&')
            {
                // Escaped rather than encoded: GitHub renders "\|" inside a table as a pipe, and "\<" as "<" without HTML.
                sb.Append('\\').Append(ch);
            }
            else
            {
                sb.Append(ch);
            }
        }

        return sb.ToString();
    }
}
