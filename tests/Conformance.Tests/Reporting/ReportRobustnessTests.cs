using System.Text.Json.Nodes;
using Conformance.Cli;
using Conformance.Reporting;

namespace Conformance.Tests.Reporting;

/// <summary>Endpoint text cannot drive the terminal, and a malformed report is a usage error for diff, never a "regression".</summary>
public sealed class ReportRobustnessTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-report-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static ConformanceReport Report(string message = "fine") => new()
    {
        Target = new ReportTarget { BaseUrl = "http://127.0.0.1:1/v1", Model = "llama-8b", Profile = "acs" },
        Checks =
        [
            new CheckReport { Id = "models.list-shape", Title = "t", Category = "models", Spec = "s", Level = CheckLevel.Must, Verdict = Verdict.Fail, Message = message },
            new CheckReport { Id = "models.configured-listed", Title = "t", Category = "models", Spec = "s", Level = CheckLevel.Must, Verdict = Verdict.Pass, Message = "ok" },
        ],
    };

    private static async Task<(int Code, string Out, string Err)> DiffAsync(string before, string after)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await CliApp.RunAsync(["diff", before, after], new CliEnvironment(stdout, stderr, _ => null), CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public void Summary_MessageWithTerminalControls_IsSanitised()
    {
        var report = Report("endpoint said \u001b[2J\u001b]0;pwned\u0007 then\r\nFAKE PASS line \u009b31m \u202Eevil");

        var text = ConsoleReport.Summary(report);

        text.Should().NotContain("\u001b").And.NotContain("\u0007").And.NotContain("\u009b").And.NotContain("\u202E").And.NotContain("\r");
        text.Should().Contain("endpoint said ?[2J").And.Contain("then\\r\\nFAKE PASS line");
        text.Split('\n').Should().NotContain(l => l.StartsWith("FAKE", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("schemaVersion", "null", "schemaVersion")]
    [InlineData("checks", "null", "'checks'")]
    [InlineData("observations", "null", "'observations'")]
    [InlineData("target", "null", "'target'")]
    [InlineData("checks", "[null]", "checks[0]")]
    [InlineData("checks", "[{\"id\":null,\"title\":\"t\",\"category\":\"c\",\"spec\":\"s\",\"level\":\"MUST\",\"verdict\":\"pass\",\"message\":\"\"}]", "checks[0]")]
    [InlineData("checks", "DUPLICATE", "more than once")]
    public async Task Diff_MalformedReport_ExitsTwoNamingTheFile(string member, string value, string message)
    {
        var good = Path.Combine(_dir, "good.json");
        var bad = Path.Combine(_dir, "bad.json");
        var json = JsonReport.Serialize(Report());
        await File.WriteAllTextAsync(good, json);
        var node = JsonNode.Parse(json)!.AsObject();
        if (value == "DUPLICATE")
        {
            var first = node["checks"]![0]!.DeepClone();
            node["checks"]!.AsArray().Add(first);
        }
        else
        {
            node[member] = JsonNode.Parse(value);
        }

        await File.WriteAllTextAsync(bad, node.ToJsonString());

        var (code, _, error) = await DiffAsync(good, bad);
        var (reversed, _, _) = await DiffAsync(bad, good);

        code.Should().Be(CliApp.UsageError, error);
        reversed.Should().Be(CliApp.UsageError);
        error.Should().Contain(bad).And.Contain(message);
    }
}
