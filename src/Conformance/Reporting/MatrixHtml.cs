using System.Text;
using Conformance.Matrix;

namespace Conformance.Reporting;

/// <summary>
/// The matrix as one self-contained HTML page in the report's shell (<see cref="HtmlPage"/>: inline CSS, no script, no
/// external asset, the same escaping), so it opens offline and as a CI artifact. A cell's tooltip carries that target's
/// message for the check.
/// </summary>
internal static class MatrixHtml
{
    // The matrix's own rules on top of the shared page's: compact verdict cells, a header row that stays in view.
    private const string Css = """
        body { max-width: none; }
        table.targets th, table.targets td { text-align: left; }
        table.matrix { width: auto; }
        table.matrix thead th { position: sticky; top: 0; }
        td.id { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; white-space: nowrap; text-align: left; }
        td.v { text-align: center; white-space: nowrap; }
        td.fail { font-weight: 600; }
        .error { color: var(--fail); background: var(--fail-bg); }
        .not-run { color: var(--na); }
        p.legend { color: var(--muted); max-width: 60em; }
        """;

    public static string Render(MatrixTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder();
        sb.Append("<h1>Conformance matrix</h1>\n");
        sb.Append("<table class=\"targets\">\n<thead><tr><th>Target</th><th>Base URL</th><th>Model</th><th>Profile</th><th>Result</th></tr></thead>\n<tbody>\n");
        foreach (var column in table.Columns)
        {
            var t = column.Target;
            var state = column.Report is null ? "error" : column.Succeeded ? "pass" : "fail";
            sb.Append("<tr><td>").Append(Escape(t.Name)).Append("</td><td>").Append(Escape(column.Report?.Target.BaseUrl ?? t.BaseUrl.ToString()))
                .Append("</td><td>").Append(Escape(t.Model)).Append("</td><td>").Append(Escape(t.Profile))
                .Append("</td><td class=\"").Append(state).Append("\">").Append(Escape(MatrixTable.Result(column))).Append("</td></tr>\n");
        }

        sb.Append("</tbody>\n</table>\n");

        sb.Append("<table class=\"matrix\">\n<thead><tr><th>Check</th>");
        foreach (var column in table.Columns)
        {
            sb.Append("<th>").Append(Escape(column.Target.Name)).Append("</th>");
        }

        sb.Append("</tr></thead>\n<tbody>\n");
        foreach (var id in table.Rows)
        {
            sb.Append("<tr><td class=\"id\" title=\"").Append(Escape(MatrixTable.Title(id))).Append("\">").Append(Escape(id)).Append("</td>");
            for (var i = 0; i < table.Columns.Count; i++)
            {
                if (table.Cell(id, i) is { } check)
                {
                    var name = ReportNames.Of(check.Verdict);
                    sb.Append("<td class=\"v ").Append(name).Append("\" title=\"").Append(Escape(check.Message)).Append("\">").Append(name).Append("</td>");
                }
                else
                {
                    sb.Append("<td class=\"v not-run\">").Append(Escape(MatrixMarkdown.NotRun)).Append("</td>");
                }
            }

            sb.Append("</tr>\n");
        }

        sb.Append("</tbody>\n</table>\n<p class=\"legend\">").Append(Escape(MatrixMarkdown.Legend)).Append("</p>\n");
        return HtmlPage.Document("Conformance matrix", sb.ToString(), Css);
    }

    // Tooltips and cells hold one line: a newline from an endpoint's message would only stretch the table.
    private static string Escape(string text) => HtmlPage.Text(text.Replace('\n', ' ').Replace('\t', ' '));
}
