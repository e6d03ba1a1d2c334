using System.Text;
using Conformance.Matrix;

namespace Conformance.Reporting;

/// <summary>
/// The matrix as one self-contained HTML page: inline CSS, no script, no external asset, so it opens offline and as a CI
/// artifact. Every text from the config or an endpoint is escaped (<see cref="Escape"/>); a cell's tooltip carries that
/// target's message for the check.
/// </summary>
/// <remarks>Kept apart from the single-run page (HtmlPage) for now, with its own small escape and CSS.</remarks>
internal static class MatrixHtml
{
    private const string Css = """
        body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f24}
        table{border-collapse:collapse;margin-bottom:1.5em}
        th,td{border:1px solid #d0d7de;padding:.25em .6em;text-align:left;vertical-align:top}
        thead th{background:#f6f8fa;position:sticky;top:0}
        td.id{font-family:ui-monospace,monospace;white-space:nowrap}
        td.v{text-align:center;white-space:nowrap}
        .pass{background:#dafbe1}.fail{background:#ffd8d3;font-weight:bold}.warn{background:#fff8c5}
        .divergence{background:#ddf4ff}.not-applicable,.skipped,.not-run{color:#656d76}.error{background:#ffd8d3}
        p.legend{color:#656d76;max-width:60em}
        """;

    public static string Render(MatrixTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n")
            .Append("<title>Conformance matrix</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<h1>Conformance matrix</h1>\n");

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
                    var name = MatrixTable.Name(check.Verdict);
                    sb.Append("<td class=\"v ").Append(name).Append("\" title=\"").Append(Escape(check.Message)).Append("\">").Append(name).Append("</td>");
                }
                else
                {
                    sb.Append("<td class=\"v not-run\">").Append(Escape(MatrixMarkdown.NotRun)).Append("</td>");
                }
            }

            sb.Append("</tr>\n");
        }

        sb.Append("</tbody>\n</table>\n<p class=\"legend\">").Append(Escape(MatrixMarkdown.Legend)).Append("</p>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// Text as HTML character data or a quoted attribute value: the five markup characters encoded, control characters
    /// (an endpoint's ESC or NUL) and bidi overrides shown as '?', so nothing an endpoint sends becomes markup.
    /// </summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        foreach (var ch in text)
        {
            _ = ch switch
            {
                '&' => sb.Append("&amp;"),
                '<' => sb.Append("&lt;"),
                '>' => sb.Append("&gt;"),
                '"' => sb.Append("&quot;"),
                '\'' => sb.Append("&#39;"),
                '\n' or '\t' => sb.Append(' '),
                _ when char.IsControl(ch) || ch is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') => sb.Append('?'),
                _ => sb.Append(ch),
            };
        }

        return sb.ToString();
    }
}
