using System.Text;

namespace Conformance.Reporting;

/// <summary>
/// The shell of every HTML page the suite writes: one self-contained document (inline CSS, no script, no external
/// asset, so it opens offline from <c>file://</c> and can be attached to a CI run as one file), and the escaping every
/// piece of text goes through. Shared by the report and any other page (e.g. a matrix) so they look and escape alike.
/// </summary>
/// <remarks>
/// Text from an endpoint is untrusted: a hostile server writes whatever it likes into bodies and headers the report
/// quotes. <see cref="Text"/> escapes every character that could open a tag, an entity or end an attribute value, and
/// replaces the characters an HTML document must not hold; the Content-Security-Policy allows no script and no load
/// at all, so even a markup mistake could not run code or call home from the report.
/// </remarks>
internal static class HtmlPage
{
    /// <summary>No script, no fetch, no frame, no form; inline styles only. The page needs nothing else.</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

    /// <summary>
    /// Light, high-contrast colours (every text colour on its background is at least 4.5:1, WCAG AA); the status colours
    /// are backed by words (<c>fail</c>, <c>warn</c>, ...), never by colour alone.
    /// </summary>
    public const string Css = """
        :root { color-scheme: light; --fg: #1b1f24; --muted: #4a5360; --line: #d0d7de; --bg: #ffffff; --panel: #f6f8fa;
          --pass: #116329; --pass-bg: #dafbe1; --fail: #a40e26; --fail-bg: #ffebe9; --warn: #7d4e00; --warn-bg: #fff8c5;
          --div: #5a32a3; --div-bg: #f3eefc; --na: #4a5360; --na-bg: #eaeef2; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: var(--bg); }
        h1 { font-size: 1.5rem; margin: 0 0 .75rem; }
        h2 { font-size: 1.15rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
        code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
        pre { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: .6rem .75rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: .25rem 0 .75rem; }
        dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; margin: 0; }
        dl.meta dt { color: var(--muted); }
        dl.meta dd { margin: 0; overflow-wrap: anywhere; }
        table { border-collapse: collapse; width: 100%; margin: .5rem 0; }
        th, td { border: 1px solid var(--line); padding: .3rem .6rem; text-align: right; }
        th:first-child, td:first-child { text-align: left; }
        thead th, tfoot td, tfoot th { background: var(--panel); }
        td.zero { color: var(--muted); }
        td.left { text-align: left; }
        .badge { display: inline-block; min-width: 4.5rem; text-align: center; border-radius: 1rem; padding: 0 .5rem; font-weight: 600; font-size: 13px; }
        .pass { color: var(--pass); background: var(--pass-bg); }
        .fail { color: var(--fail); background: var(--fail-bg); }
        .warn { color: var(--warn); background: var(--warn-bg); }
        .divergence { color: var(--div); background: var(--div-bg); }
        .not-applicable, .skipped { color: var(--na); background: var(--na-bg); }
        .totals { display: flex; flex-wrap: wrap; gap: .5rem; margin: 1rem 0; padding: 0; list-style: none; }
        .totals li { border-radius: 6px; padding: .4rem .8rem; font-weight: 600; }
        .totals li span { font-size: 1.3rem; margin-right: .3rem; }
        details { border: 1px solid var(--line); border-radius: 6px; margin: .4rem 0; background: var(--bg); }
        details > summary { cursor: pointer; padding: .4rem .6rem; list-style-position: inside; overflow-wrap: anywhere; }
        details > summary:focus-visible { outline: 3px solid #0969da; outline-offset: 2px; }
        details[open] > summary { border-bottom: 1px solid var(--line); background: var(--panel); }
        details > .body { padding: .5rem .75rem; }
        .body h3 { font-size: .9rem; margin: .5rem 0 0; color: var(--muted); }
        ul.plain { margin: .25rem 0; padding-left: 1.25rem; }
        .muted { color: var(--muted); }
        """;

    /// <summary>A whole document: the shell around <paramref name="body"/>, which must already be markup built with <see cref="Text"/>.</summary>
    /// <param name="title">The page title (escaped here).</param>
    /// <param name="body">The body's markup.</param>
    /// <param name="css">Rules a page adds to <see cref="Css"/> (the matrix's cells).</param>
    public static string Document(string title, string body, string css = "")
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(body);
        var sb = new StringBuilder(body.Length + Css.Length + 512);
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"").Append(ContentSecurityPolicy).Append("\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<title>").Append(Text(title)).Append("</title>\n<style>\n").Append(Css).Append(css).Append("</style>\n</head>\n<body>\n")
            .Append(body)
            .Append("</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>
    /// Escapes text for element content and for double- or single-quoted attribute values: <c>&amp; &lt; &gt; " '</c>
    /// become references; a C0 control other than tab, newline and carriage return, DEL, a C1 control, a noncharacter or a lone
    /// surrogate (which an HTML document must not hold, and which NUL-terminated tools cut at) becomes U+FFFD, and so
    /// does a bidirectional embedding, override or isolate (which would let an endpoint's text reorder what the page
    /// shows around it).
    /// Replaced, not dropped, as the JUnit report does: dropping would join the text on either side.
    /// </summary>
    public static string Text(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        var sb = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var ch = text[i];
            switch (ch)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&#39;"); break;
                case '\t' or '\n' or '\r': sb.Append(ch); break;
                case < ' ' or (>= '\u007F' and <= '\u009F') or '\uFFFE' or '\uFFFF' or (>= '\uFDD0' and <= '\uFDEF')
                    or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069'): sb.Append('\uFFFD'); break;
                default:
                    if (char.IsHighSurrogate(ch) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(ch).Append(text[++i]);
                    }
                    else if (char.IsSurrogate(ch))
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(ch);
                    }

                    break;
            }
        }

        return sb.ToString();
    }
}
