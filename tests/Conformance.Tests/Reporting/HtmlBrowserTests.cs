using System.Net;
using System.Text.RegularExpressions;
using Conformance.Cli;
using Conformance.Reporting;
using MockServer.Hosting;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Reporting;

/// <summary>
/// The HTML report as a reader sees it: a real run writes the JSON and HTML reports, headless chromium renders the page,
/// and every figure the rendered DOM shows (totals, each category's counts, the failures listed) equals the JSON
/// report's. One browser launch.
/// </summary>
public sealed partial class HtmlBrowserTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-browser-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task The_rendered_report_shows_the_figures_of_the_json_report()
    {
        // The mock serving llama.cpp's dialect, judged as vLLM: some rules break (failures), some differ the way the
        // vllm profile expects (divergences), most pass; a real mix for the page to show.
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key }, Profile = "llamacpp" });
        var jsonPath = Path.Combine(_dir, "report.json");
        var htmlPath = Path.Combine(_dir, "report.html");

        var (code, _, error) = await RunAsync(["--base-url", server.BaseUrl.ToString(), "--api-key", Suite.Key, "--profile", "vllm", "--model", "llama-8b",
            "--quiet", "--timeout", "10", "--json", jsonPath, "--html", htmlPath]);

        code.Should().Be(CliApp.Failed, error);
        var json = JsonReport.Deserialize(await File.ReadAllTextAsync(jsonPath));
        json.Summary.Failed.Should().BePositive("the run must show failures");
        (json.Summary.Divergent + json.Summary.Warned).Should().BePositive("the run must show divergences or warnings");

        var dom = await HeadlessChromium.DumpDomAsync(htmlPath);

        // Totals, from the list at the top and from the table's last row.
        var expected = new Dictionary<string, int>
        {
            ["total"] = json.Summary.Total,
            ["pass"] = json.Summary.Passed,
            ["fail"] = json.Summary.Failed,
            ["warn"] = json.Summary.Warned,
            ["divergence"] = json.Summary.Divergent,
            ["not-applicable"] = json.Summary.NotApplicable,
            ["skipped"] = json.Summary.Skipped,
        };
        json.Summary.Total.Should().Be(json.Checks.Count);
        Figures(TotalPattern(), dom).Should().Equal(expected);
        Figures(CellPattern(), SumRow().Match(dom).Groups[1].Value).Should().Equal(expected);

        // Each category's row: every status counted from the JSON report's checks.
        var rows = RowPattern().Matches(dom).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => Figures(CellPattern(), m.Groups[2].Value));
        rows.Keys.Should().Equal(json.Checks.Select(c => c.Category).Distinct());
        foreach (var category in json.Checks.GroupBy(c => c.Category))
        {
            var counts = expected.Keys.ToDictionary(k => k, k => k == "total" ? category.Count() : category.Count(c => ReportNames.Of(c.Verdict) == k));
            rows[category.Key].Should().Equal(counts, category.Key);
        }

        // The failures listed are the JSON report's, each with what was expected and seen; divergences apart.
        var failed = json.Checks.Where(c => c.Verdict == Verdict.Fail).ToList();
        Ids(dom, "fail").Should().Equal(failed.Select(c => c.Id));
        Ids(dom, "divergence").Should().Equal(json.Checks.Where(c => c.Verdict == Verdict.Divergence).Select(c => c.Id));
        Ids(dom, "warn").Should().Equal(json.Checks.Where(c => c.Verdict == Verdict.Warn).Select(c => c.Id));
        var evidence = BlockPattern().Matches(dom).ToDictionary(
            m => WebUtility.HtmlDecode(m.Groups[1].Value),
            m => EvidencePattern().Matches(m.Groups[2].Value).ToDictionary(e => e.Groups[1].Value, e => WebUtility.HtmlDecode(e.Groups[2].Value)));
        foreach (var check in failed.Where(c => c.Evidence is not null))
        {
            evidence[check.Id]["expected"].Should().Be(Normalise(check.Evidence!.Expected), check.Id);
            evidence[check.Id]["seen"].Should().Be(Normalise(check.Evidence!.Seen), check.Id);
        }

        dom.Should().Contain($"data-outcome=\"failed\"").And.NotContain(Suite.Key);
        dom.Should().NotContainEquivalentOf("<script", "the page has no script, and nothing from the endpoint became one");
    }

    private static Dictionary<string, int> Figures(Regex pattern, string markup) =>
        pattern.Matches(markup).ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));

    private static IEnumerable<string> Ids(string dom, string verdict) =>
        DetailsPattern().Matches(dom).Where(m => m.Groups[2].Value == verdict).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value));

    /// <summary>What an HTML parser makes of text: CR LF and lone CR become LF (HTML §13.2.3.5).</summary>
    private static string? Normalise(string? text) => text?.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');

    [GeneratedRegex(@"<span data-total=""([a-z-]+)"">(\d+)</span>")]
    private static partial Regex TotalPattern();

    [GeneratedRegex(@"<td data-status=""([a-z-]+)""[^>]*>(\d+)</td>")]
    private static partial Regex CellPattern();

    [GeneratedRegex(@"<tr data-category=""([^""]+)"">(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex RowPattern();

    [GeneratedRegex(@"<tr data-category-sum=""all"">(.*?)</tr>", RegexOptions.Singleline)]
    private static partial Regex SumRow();

    [GeneratedRegex(@"<details data-check=""([^""]+)"" data-verdict=""([a-z-]+)""")]
    private static partial Regex DetailsPattern();

    /// <summary>One check's details block: its id and its markup.</summary>
    [GeneratedRegex(@"<details data-check=""([^""]+)""(.*?)</details>", RegexOptions.Singleline)]
    private static partial Regex BlockPattern();

    [GeneratedRegex(@"<pre data-evidence=""([a-z]+)"">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex EvidencePattern();
}
