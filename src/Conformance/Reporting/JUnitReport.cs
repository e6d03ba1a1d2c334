using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Conformance.Reporting;

/// <summary>JUnit XML for CI systems: one test case per check, grouped in one suite per category; failures carry the evidence.</summary>
internal static class JUnitReport
{
    public static string Render(ConformanceReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var suites = new XElement("testsuites",
            new XAttribute("name", "conformance"),
            new XAttribute("tests", report.Checks.Count),
            new XAttribute("failures", report.Summary.Failed),
            new XAttribute("skipped", report.Summary.NotApplicable + report.Summary.Skipped),
            new XAttribute("time", Seconds(report.DurationMs)));
        foreach (var category in report.Checks.GroupBy(c => c.Category))
        {
            var suite = new XElement("testsuite",
                new XAttribute("name", category.Key),
                new XAttribute("tests", category.Count()),
                new XAttribute("failures", category.Count(c => c.Verdict == Verdict.Fail)),
                new XAttribute("skipped", category.Count(c => c.Verdict is Verdict.NotApplicable or Verdict.Skipped)),
                new XAttribute("time", Seconds(category.Sum(c => c.DurationMs))));
            foreach (var check in category)
            {
                var test = new XElement("testcase",
                    new XAttribute("classname", $"{report.Target.Profile}.{check.Category}"),
                    new XAttribute("name", check.Id),
                    new XAttribute("time", Seconds(check.DurationMs)));
                switch (check.Verdict)
                {
                    case Verdict.Fail:
                        test.Add(new XElement("failure", new XAttribute("message", Clean(check.Message)), new XAttribute("type", check.Level.ToString()), Clean(Detail(check))));
                        break;
                    case Verdict.NotApplicable or Verdict.Skipped:
                        test.Add(new XElement("skipped", new XAttribute("message", Clean(check.Message))));
                        break;
                    case Verdict.Warn or Verdict.Divergence:
                        // Not failures, but visible in the CI log.
                        test.Add(new XElement("system-out", Clean($"{check.Verdict}: {check.Message}\n{Detail(check)}")));
                        break;
                    default:
                        break;
                }

                suite.Add(test);
            }

            suites.Add(suite);
        }

        // The declaration names the writer's encoding: a plain StringWriter would declare utf-16 for text that is then
        // saved as UTF-8, which XML parsers that honour the declaration refuse.
        using var text = new Utf8StringWriter();
        using (var writer = XmlWriter.Create(text, new XmlWriterSettings { Indent = true, OmitXmlDeclaration = false }))
        {
            new XDocument(suites).Save(writer);
        }

        return text + "\n";
    }

    /// <summary>The evidence as plain text: title, spec, expected, seen, request, excerpt.</summary>
    public static string Detail(CheckReport check)
    {
        ArgumentNullException.ThrowIfNull(check);
        var sb = new StringBuilder();
        sb.Append(check.Title).Append(" [").Append(check.Spec).Append("]\n");
        if (check.Evidence is { } e)
        {
            sb.Append("expected: ").Append(e.Expected).Append('\n');
            sb.Append("seen:     ").Append(e.Seen).Append('\n');
            if (e.Request is not null)
            {
                sb.Append("request:\n").Append(e.Request).Append('\n');
            }

            if (e.Excerpt is not null)
            {
                sb.Append("excerpt:\n").Append(e.Excerpt).Append('\n');
            }
        }

        return sb.ToString();
    }

    private static string Seconds(long ms) => (ms / 1000.0).ToString("0.000", CultureInfo.InvariantCulture);

    // XML 1.0 cannot carry most control characters; hostile bodies contain them. They are replaced, not dropped:
    // dropping them would join the text on either side, e.g. two redaction-proof halves of a key.
    private static string Clean(string text) => new([.. text.Select(ch => XmlConvert.IsXmlChar(ch) || char.IsSurrogate(ch) ? ch : '\uFFFD')]);

    private sealed class Utf8StringWriter() : StringWriter(CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => ReportFile.Encoding;
    }
}
