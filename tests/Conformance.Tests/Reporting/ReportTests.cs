using System.Xml.Linq;
using Conformance.Checks;
using Conformance.Reporting;
using Conformance.Tests.Fakes;
using NJsonSchema;

namespace Conformance.Tests.Reporting;

public sealed class ReportTests
{
    private static async Task<ConformanceReport> MixedReportAsync()
    {
        var fake = new FakeServerOptions { EchoAuthorization = true };
        fake.Violations.Add(Violation.StreamNoDone);
        fake.DisabledRules.Add("auth.wrong-key");
        return await Suite.RunAsync(fake);
    }

    [Fact]
    public async Task Json_ValidatesAgainstTheSchema_AndRoundTrips()
    {
        var report = await MixedReportAsync();
        var json = JsonReport.Serialize(report);
        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", "conformance-report.schema.json"));

        schema.Validate(json).Select(e => e.ToString()).Should().BeEmpty();
        var back = JsonReport.Deserialize(json);
        back.Checks.Select(c => (c.Id, c.Verdict)).Should().Equal(report.Checks.Select(c => (c.Id, c.Verdict)));
        back.SchemaVersion.Should().Be(ConformanceReport.CurrentSchemaVersion);
        json.Should().Contain("\"verdict\": \"fail\"").And.Contain("\"level\": \"MUST\"");
        schema.Validate(json.Replace("\"verdict\": \"fail\"", "\"verdict\": \"broken\"", StringComparison.Ordinal)).Should().NotBeEmpty("the schema must be able to reject a report");
    }

    [Fact]
    public void Json_WrongMajorVersion_IsRefused()
    {
        var act = () => JsonReport.Deserialize("{\"schemaVersion\":\"2.0\",\"target\":{\"baseUrl\":\"x\",\"model\":\"m\",\"profile\":\"acs\"}}");

        act.Should().Throw<InvalidDataException>().WithMessage("*schemaVersion*");
    }

    [Fact]
    public async Task JUnit_HasOneCasePerCheck_AndFailuresCarryEvidence()
    {
        var report = await MixedReportAsync();

        var xml = XDocument.Parse(JUnitReport.Render(report));

        xml.Descendants("testcase").Should().HaveCount(Catalogue.All.Count);
        var failures = xml.Descendants("failure").ToList();
        failures.Should().HaveCount(report.Summary.Failed).And.NotBeEmpty();
        var truncated = xml.Descendants("testcase").Single(t => (string?)t.Attribute("name") == "stream.not-truncated");
        truncated.Element("failure")!.Value.Should().Contain("expected:").And.Contain("request:").And.Contain("Bearer ***");
    }

    [Fact]
    public async Task Outputs_NeverContainTheKey_EvenWhenTheServerEchoesIt()
    {
        // The hostile fake copies the Authorization header into every error message.
        var report = await MixedReportAsync();

        var outputs = new[] { JsonReport.Serialize(report), JUnitReport.Render(report), ConsoleReport.Summary(report) };

        outputs.Should().OnlyContain(o => !o.Contains(Suite.Key, StringComparison.Ordinal));
        outputs[0].Should().Contain("Bearer ***", "the echoed header is still visible, redacted");
        report.Checks.Single(c => c.Id == "auth.wrong-key").Evidence!.Request.Should().Contain("Bearer " + Conformance.Http.EndpointClient.WrongKey, "the deliberately wrong key is not a secret");
    }

    [Fact]
    public void Diff_ListsVerdictAndObservationChanges()
    {
        static ConformanceReport Make(Verdict verdict, string usage) => new()
        {
            Target = new ReportTarget { BaseUrl = "u", Model = "m", Profile = "acs" },
            Checks = [new CheckReport { Id = "stream.usage.present-when-requested", Title = "t", Category = "stream", Spec = "s", Verdict = verdict }],
            Observations = new(StringComparer.Ordinal) { ["stream.usage_chunk_present"] = usage, ["completion.prompt_tokens"] = "6" },
        };

        var result = ReportDiff.Compare(Make(Verdict.Fail, "false"), Make(Verdict.Pass, "true"));
        var reverse = ReportDiff.Compare(Make(Verdict.Pass, "true"), Make(Verdict.Warn, "true"));

        result.Regressed.Should().BeFalse();
        result.Observations.Should().ContainSingle().Which.Should().Be(new ReportDiff.Change("stream.usage_chunk_present", "false", "true", false));
        ReportDiff.Render(result).Should().Contain("fail -> pass").And.Contain("no regression");
        reverse.Regressed.Should().BeTrue();
        reverse.Observations.Should().BeEmpty();
    }

    [Fact]
    public void DocsChecksMd_IsUpToDate()
    {
        var onDisk = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "checks.md"));

        onDisk.Should().Be(CatalogueMarkdown.Render(), "regenerate with: dotnet run --project src/Conformance -- --list --format markdown > docs/checks.md");
    }
}
