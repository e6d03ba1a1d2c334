using System.Globalization;
using Conformance.Reporting;
using Conformance.Tests.Checks;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Reporting;

/// <summary>
/// The console summary: one configuration problem reads as one block, not as one defect per check; the request in
/// evidence reads as it was sent. The JSON and JUnit reports stay per check.
/// </summary>
public sealed class ConsoleReportTests
{
    private static CheckReport Check(string id, string message, string seen, CheckLevel level = CheckLevel.Must, string category = "chat") => new()
    {
        Id = id,
        Title = "t",
        Category = category,
        Spec = "s",
        Level = level,
        Verdict = Verdict.Fail,
        Message = message,
        Evidence = new Evidence { Expected = "e", Seen = seen, Request = "POST http://127.0.0.1:1/v1/chat/completions\nContent-Type: application/json\n\n{\"model\":\"m\"}" },
    };

    private static ConformanceReport Report(params CheckReport[] checks) => new()
    {
        Target = new ReportTarget { BaseUrl = "http://127.0.0.1:1/v1", Model = "m", Profile = "acs" },
        Checks = [.. checks],
    };

    private static IEnumerable<string> Lines(string text, string prefix) => text.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal));

    [Fact]
    public void Summary_ConsecutiveChecksWithTheSameReason_AreOneBlock_OnlyThose()
    {
        // Arrange: a, b and c read the same; d differs in what was seen; e reads as a but does not follow it; f is another category.
        var report = Report(
            Check("chat.a", "no template", "400"),
            Check("chat.b", "no template", "400"),
            Check("chat.c", "no template", "400", CheckLevel.Should),
            Check("chat.d", "no template", "404"),
            Check("chat.e", "no template", "400"),
            Check("other.f", "no template", "400", category: "other"));

        // Act
        var text = ConsoleReport.Summary(report);

        // Assert
        Lines(text, "  FAIL ").Select(l => l.Split(' ')[3]).Should().Equal("chat.a", "chat.d", "chat.e", "other.f");
        Lines(text, "         and ").Should().Equal("         and 2 more with the same reason: chat.b, chat.c [SHOULD]");
        Lines(text, "         seen:").Should().HaveCount(4);
    }

    [Fact]
    public void Summary_ALongRun_NamesTheFirstIds_AndCountsTheRest()
    {
        var report = Report([.. Enumerable.Range(0, 9).Select(i => Check($"chat.c{i}", "no template", "400"))]);

        var text = ConsoleReport.Summary(report);

        Lines(text, "  FAIL ").Should().ContainSingle();
        Lines(text, "         and ").Should().Equal("         and 8 more with the same reason: chat.c1, chat.c2, chat.c3, chat.c4, chat.c5, …");
    }

    [Fact]
    public void Summary_Request_IsPrintedLineByLine_AsSent()
    {
        var report = Report(Check("chat.a", "m", "s"));

        var text = ConsoleReport.Summary(report);

        text.Should().Contain("         request:\n           POST http://127.0.0.1:1/v1/chat/completions\n           Content-Type: application/json\n\n           {\"model\":\"m\"}\n");
        text.Should().NotContain("\\n");
    }

    [Fact]
    public void Summary_RequestWithControlCharacters_StaysCleaned()
    {
        var check = Check("chat.a", "m", "s");
        check.Evidence!.Request = "POST http://127.0.0.1:1/v1/chat/completions\r\n\u001b[2J{}";

        var text = ConsoleReport.Summary(Report(check));

        text.Should().NotContain("\u001b").And.NotContain("\r").And.Contain("           POST http://127.0.0.1:1/v1/chat/completions\\r\n           ?[2J{}\n");
    }

    [Fact]
    public async Task Summary_OnlyChatAgainstAModelWithoutATemplate_IsOneBlockPerReason_AndTheJsonReportStaysPerCheck()
    {
        // Arrange: asked for with --only, a model without a chat template fails every chat check the same way.
        var report = await ChatSuite.RunAsync(new FakeChatOptions { NoTemplate = true }, null, "chat");

        // Act
        var text = ConsoleReport.Summary(report);

        // Assert
        var failed = report.Checks.Count(c => c.Verdict == Verdict.Fail);
        failed.Should().BeGreaterThan(50);
        // Two runs: the opt-in tool checks (not applicable, another reason) stand between the validation and schema checks.
        var blocks = Lines(text, "  FAIL ").ToList();
        blocks.Select(l => l.Split(' ')[3]).Should().Equal("chat.response.shape", "chat.schema.completion");
        blocks.Should().OnlyContain(l => l.Contains("no chat template", StringComparison.Ordinal));
        Lines(text, "  N/A  ").Should().ContainSingle().Which.Should().Contain("chat.tools.call");
        var counted = Lines(text, "         and ").Select(l => int.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture));
        var notApplicable = report.Checks.Count(c => c.Verdict == Verdict.NotApplicable);
        counted.Sum().Should().Be(failed - blocks.Count + notApplicable - 1, "each block counts the checks it stands for after its first");
        text.Should().Contain("\n           Content-Type: application/json\n");
        JsonReport.Deserialize(JsonReport.Serialize(report)).Checks.Should().HaveCount(report.Checks.Count);
        text.Should().Contain($"0 passed, {failed} failed");
    }
}
