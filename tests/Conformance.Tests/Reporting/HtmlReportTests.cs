using System.Text;
using System.Text.RegularExpressions;
using Conformance.Cli;
using Conformance.Http;
using Conformance.Reporting;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Reporting;

/// <summary>
/// The HTML report's writer: what an endpoint sends is text on the page, never markup; the key never appears; every
/// failure carries its evidence; warnings and divergences stay out of the failures.
/// </summary>
public sealed partial class HtmlReportTests
{
    /// <summary>Markup a hostile endpoint would love to see rendered: a script, an event handler, a way out of an attribute and out of a &lt;pre&gt;.</summary>
    private const string Hostile = "<script>alert(1)</script>\"><img src=x onerror=alert(2)>'</pre></details><svg onload=alert(3)>&lt;b&gt;\u0000\u0007\u0085\uD800x\u202Egnp.exe";

    /// <summary>The only elements and attributes the writer emits; anything else in a tag came from the endpoint.</summary>
    private static readonly HashSet<string> Elements = ["!doctype", "html", "head", "meta", "title", "style", "body", "header", "h1", "h2", "h3", "dl", "dt", "dd", "code", "span", "p", "strong", "ul", "li", "a", "section", "table", "thead", "tbody", "tfoot", "tr", "th", "td", "details", "summary", "div", "pre"];

    private static readonly HashSet<string> Attributes = ["lang", "charset", "http-equiv", "content", "name", "class", "id", "href", "aria-label", "scope", "open", "data-total", "data-category", "data-category-sum", "data-status", "data-check", "data-verdict", "data-section", "data-field", "data-evidence", "data-outcome"];

    [Fact]
    public void Hostile_text_everywhere_stays_text_and_no_markup_from_the_endpoint_survives()
    {
        var report = Report(
            Check("stream.a" + Hostile, Verdict.Fail, Hostile, category: "cat" + Hostile),
            Check("stream.b", Verdict.Warn, Hostile),
            Check("stream.c", Verdict.Divergence, Hostile),
            Check("stream.d", Verdict.NotApplicable, Hostile),
            Check("stream.e", Verdict.Pass, Hostile));
        report.Target.Model = Hostile;
        report.Target.BaseUrl = "http://x/" + Hostile;
        report.Target.Profile = Hostile;
        report.Observations["obs" + Hostile] = Hostile;

        var html = HtmlReport.Render(report);

        foreach (Match tag in TagPattern().Matches(html))
        {
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            Elements.Should().Contain(name, $"{tag.Value} is not markup the writer emits");
            if (name == "!doctype")
            {
                continue;
            }

            foreach (Match attribute in AttributePattern().Matches(tag.Groups["rest"].Value))
            {
                Attributes.Should().Contain(attribute.Groups[1].Value.ToLowerInvariant(), $"attribute in {tag.Value}");
            }
        }

        html.Should().NotContainEquivalentOf("<script").And.NotContainEquivalentOf("<img").And.NotContainEquivalentOf("<svg");
        html.Should().Contain("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&#39;&lt;/pre&gt;", "the text is shown, escaped");
        html.Should().Contain("&amp;lt;b&amp;gt;", "an entity in the text is shown as written, not decoded");
        StrayAmpersand().IsMatch(html).Should().BeFalse("every & is one of the writer's references");
        html.Should().NotContain("\u0000").And.NotContain("\u0007").And.NotContain("\u0085").And.NotContain("\uD800").And.NotContain("\u202E", "a right-to-left override would reorder what the page shows");
        html.Should().Contain("\uFFFD\uFFFD\uFFFD\uFFFDx", "control characters and a lone surrogate are replaced, not dropped");
        html.Should().Contain($"<meta http-equiv=\"Content-Security-Policy\" content=\"{HtmlPage.ContentSecurityPolicy}\">");
        HtmlPage.ContentSecurityPolicy.Should().StartWith("default-src 'none'", "a CSP that allows no script is the second line of defence");
    }

    [Fact]
    public void The_page_is_self_contained_no_script_no_external_reference()
    {
        var html = HtmlReport.Render(Report(Check("stream.a", Verdict.Fail, "m")));

        html.Should().NotContainEquivalentOf("<script").And.NotContainEquivalentOf("<link").And.NotContainEquivalentOf("@import").And.NotContainEquivalentOf("url(");
        HrefPattern().Matches(html).Select(m => m.Groups[1].Value).Should().OnlyContain(h => h.StartsWith('#'), "links only jump within the page");
        html.Should().NotContainEquivalentOf(" src=");
    }

    [Fact]
    public void A_key_is_never_written_not_even_in_the_form_html_escaping_gives_it()
    {
        // Visible ASCII with every character HTML escapes: the CLI accepts such a key (IsHeaderSafe).
        const string Key = "sk-a&b<c>d\"e'f&g<h>i&j";
        var check = Check("auth.echo", Verdict.Fail, "echoed " + Key);
        check.Evidence = new Evidence
        {
            Request = "GET /v1/models\nAuthorization: Bearer " + Key,
            Excerpt = "{\"echo\":\"" + Key + "\"}",
            Expected = "no echo",
            Seen = Key,
        };
        var report = Report(check);
        report.Target.Model = Key;

        var html = HtmlReport.Render(report, new Redactor(Key));

        html.Should().NotContain(Key).And.NotContain(HtmlPage.Text(Key)).And.NotContain(HtmlPage.Text(Key[3..]));
        html.Should().NotContain("a&amp;b&lt;c&gt;d", "no 8-character run of the key, escaped or not");
        html.Should().Contain("Bearer " + Redactor.Mask);
    }

    [Fact]
    public void Every_failure_has_its_evidence_behind_one_click_and_warnings_and_divergences_are_apart()
    {
        var checks = new List<CheckReport>();
        for (var i = 0; i < 3; i++)
        {
            checks.Add(Check($"stream.fail-{i}", Verdict.Fail, $"message {i}"));
        }

        checks.Add(Check("stream.warned", Verdict.Warn, "a SHOULD broken"));
        checks.Add(Check("stream.diverged", Verdict.Divergence, "as the profile expects"));
        checks.Add(Check("stream.budget", Verdict.Skipped, "budget"));
        var report = Report([.. checks]);

        var html = HtmlReport.Render(report);

        var failures = Section(html, "failures");
        DetailsPattern().Matches(failures).Select(m => m.Groups[1].Value).Should().Equal("stream.fail-0", "stream.fail-1", "stream.fail-2");
        foreach (var check in checks.Where(c => c.Verdict == Verdict.Fail))
        {
            var block = Details(failures, check.Id);
            var e = check.Evidence!;
            block.Should().Contain($"<pre data-evidence=\"expected\">{HtmlPage.Text(e.Expected)}</pre>")
                .And.Contain($"<pre data-evidence=\"seen\">{HtmlPage.Text(e.Seen)}</pre>")
                .And.Contain($"<pre data-evidence=\"request\">{HtmlPage.Text(e.Request)}</pre>")
                .And.Contain($"<pre data-evidence=\"excerpt\">{HtmlPage.Text(e.Excerpt)}</pre>")
                .And.Contain(HtmlPage.Text(check.Message));
        }

        failures.Should().NotContain("stream.warned").And.NotContain("stream.diverged").And.NotContain("stream.budget");
        Details(Section(html, "warnings"), "stream.warned").Should().Contain("data-evidence=\"seen\"");
        Details(Section(html, "divergences"), "stream.diverged").Should().Contain("data-evidence=\"seen\"");
        Details(Section(html, "skipped"), "stream.budget").Should().Contain("budget");
        html.IndexOf("id=\"failures\"", StringComparison.Ordinal).Should().BeLessThan(html.IndexOf("id=\"passed\"", StringComparison.Ordinal), "what needs action comes first");
    }

    [Fact]
    public async Task Cli_html_writes_the_report_with_the_key_and_secret_headers_redacted_and_the_endpoint_escaped()
    {
        const string Key = "sk-Html9Report8Key7Secret";
        const string Gateway = "gw-Route4Secret5Value6";
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            if (ctx.Request.Path.Value!.EndsWith("/models", StringComparison.Ordinal))
            {
                // Echoes the key and the secret header back, inside markup meant to run in whoever opens the report.
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"object\":\"<script>alert('" + ctx.Request.Headers.Authorization + ctx.Request.Headers["X-Gateway-Token"] + "')</script>\",\"data\":[]}", Encoding.UTF8);
                return;
            }

            ctx.Response.StatusCode = 404;
        });
        var dir = Directory.CreateTempSubdirectory("conformance-html-").FullName;
        try
        {
            var html = Path.Combine(dir, "report.html");

            var (code, _, error) = await RunAsync(["--base-url", server.BaseUrl.ToString(), "--api-key", Key, "--header", "X-Gateway-Token: " + Gateway, "--only", "models", "--quiet", "--timeout", "10", "--html", html]);

            code.Should().Be(CliApp.Failed, error);
            var text = await File.ReadAllTextAsync(html, Encoding.UTF8);
            text.Should().StartWith("<!DOCTYPE html>").And.NotContain(Key).And.NotContain(Key[3..]).And.NotContain(Gateway[3..]).And.NotContainEquivalentOf("<script");
            Details(Section(text, "failures"), "models.list-shape").Should().Contain("&lt;script&gt;alert(");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static ConformanceReport Report(params CheckReport[] checks)
    {
        var report = new ConformanceReport
        {
            StartedAt = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero),
            Target = new ReportTarget { BaseUrl = "http://127.0.0.1:1/v1", Model = "llama-8b", Profile = "acs" },
            Checks = [.. checks],
        };
        ConformanceRunner.Summarise(report);
        return report;
    }

    private static CheckReport Check(string id, Verdict verdict, string text, string category = "stream") => new()
    {
        Id = id,
        Title = "title " + text,
        Category = category,
        Spec = "spec-facts §1 " + text,
        Verdict = verdict,
        Level = verdict == Verdict.Divergence ? CheckLevel.ExpectedDivergence : CheckLevel.Must,
        Message = text,
        Evidence = verdict == Verdict.Pass ? null : new Evidence
        {
            Request = $"POST /v1/completions ({id})\n{{\"prompt\":\"{text}\"}}",
            Excerpt = $"data: {{\"x\":\"{id} {text}\"}}",
            Expected = $"expected of {id}",
            Seen = $"seen by {id}: {text}",
        },
    };

    /// <summary>The markup of the section with this id, up to its end.</summary>
    private static string Section(string html, string id)
    {
        var start = html.IndexOf($"<section id=\"{id}\"", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"the page has a section '{id}'");
        return html[start..html.IndexOf("</section>", start, StringComparison.Ordinal)];
    }

    /// <summary>The &lt;details&gt; of one check, up to its end.</summary>
    private static string Details(string html, string id)
    {
        var start = html.IndexOf($"<details data-check=\"{HtmlPage.Text(id)}\"", StringComparison.Ordinal);
        start.Should().BeGreaterThanOrEqualTo(0, $"check '{id}' has a details block");
        return html[start..html.IndexOf("</details>", start, StringComparison.Ordinal)];
    }

    [GeneratedRegex(@"</?(?<name>!?[A-Za-z][A-Za-z0-9]*)(?<rest>[^>]*)>")]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\s([^\s=""'/>]+)(?:=(?:""[^""]*""|'[^']*'|[^\s>]+))?")]
    private static partial Regex AttributePattern();

    [GeneratedRegex(@"&(?!(?:amp|lt|gt|quot|#39);)")]
    private static partial Regex StrayAmpersand();

    [GeneratedRegex(@"href=""([^""]*)""")]
    private static partial Regex HrefPattern();

    [GeneratedRegex(@"<details data-check=""([^""]+)"" data-verdict=""fail""")]
    private static partial Regex DetailsPattern();
}
