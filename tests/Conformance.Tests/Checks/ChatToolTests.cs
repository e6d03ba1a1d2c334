using Conformance.Checks;
using Conformance.Tests.Cli;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>The opt-in tool-call probe (<c>chat.tools.*</c>) against <see cref="StrictChatServer"/>.</summary>
public sealed class ChatToolTests
{
    [Fact]
    public async Task RunAsync_ProbeNotAskedFor_IsNotApplicableAndSendsNothing()
    {
        // Arrange
        await using var server = await StrictChatServer.StartAsync();
        var options = Suite.Options(server.BaseUrl, "chat.tools");

        // Act
        var report = await ConformanceRunner.RunAsync(options);

        // Assert: a forced call costs tokens, so without --tool-probe not even the chat gate is sent.
        report.Checks.Should().HaveCount(ChatToolChecks.All().Count())
            .And.OnlyContain(c => c.Verdict == Verdict.NotApplicable && c.Message == ChatToolChecks.OptIn);
        server.Authorizations.Should().BeEmpty();
        report.Usage.TokensSpent.Should().Be(0);
    }

    [Theory]
    [InlineData(ToolFault.ArgumentsNotJson, "chat.tools.stream.arguments", "is not a JSON object")]
    [InlineData(ToolFault.RepeatedId, "chat.tools.stream.deltas", "repeats id")]
    [InlineData(ToolFault.FinishStop, "chat.tools.finish-reason", "finished with \"stop\"")]
    [InlineData(ToolFault.ArgumentsAgainstSchema, "chat.tools.call", "break the tool's parameter schema at $.days")]
    [InlineData(ToolFault.DeltaAfterFinish, "chat.tools.stream.one-finish", "went on after its finish_reason")]
    public async Task RunAsync_OneToolFault_FailsItsCheckAlone(ToolFault fault, string id, string because)
    {
        // Arrange
        var fake = new StrictChatOptions { ToolFault = fault };

        // Act
        var report = await StrictChatServer.RunAsync(fake, "acs", toolProbe: true, "chat.tools");

        // Assert
        var failed = report.Checks.Where(c => c.Verdict != Verdict.Pass).ToList();
        failed.Select(c => c.Id).Should().Equal(id);
        failed[0].Verdict.Should().Be(Verdict.Fail);
        failed[0].Message.Should().Contain(because);
        failed[0].Evidence!.Excerpt.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task RunAsync_StreamWithoutChatChunks_FailsEveryStreamedToolCheck_SayingChat()
    {
        // A stream whose choices carry completions' text has no delta to judge: no tool check may pass on it, and the
        // message names the chat chunk it lacked, not a completion chunk.
        var fake = new StrictChatOptions { ToolFault = ToolFault.CompletionChunks };

        var report = await StrictChatServer.RunAsync(fake, "acs", toolProbe: true, "chat.tools");

        var failed = report.Checks.Where(c => c.Verdict != Verdict.Pass).ToList();
        failed.Select(c => c.Id).Should().BeEquivalentTo("chat.tools.finish-reason", "chat.tools.stream.deltas", "chat.tools.stream.arguments", "chat.tools.stream.one-finish");
        failed.Should().OnlyContain(c => c.Verdict == Verdict.Fail && c.Message.Contains("no chat chunk", StringComparison.Ordinal), string.Join("; ", failed.Select(c => c.Message)));
        failed.Should().OnlyContain(c => c.Evidence!.Expected!.Contains("a `delta` object", StringComparison.Ordinal));
    }

    [Fact]
    public void EveryToolCheck_HasAFault()
    {
        var faulted = typeof(ChatToolTests).GetMethod(nameof(RunAsync_OneToolFault_FailsItsCheckAlone))!
            .GetCustomAttributes(typeof(InlineDataAttribute), false).Cast<InlineDataAttribute>()
            .Select(a => (string)a.GetData(null!).Single()[1]);

        faulted.Should().BeEquivalentTo(ChatToolChecks.All().Select(c => c.Id), "every tool check needs a server that makes it fail");
    }

    [Fact]
    public async Task RunAsync_NamedToolChoiceFinishingWithStop_IsVllmsExpectedDivergence()
    {
        // spec-facts §5: vLLM finishes a named tool choice with "stop".
        var fake = new StrictChatOptions { ToolFault = ToolFault.FinishStop };

        var report = await StrictChatServer.RunAsync(fake, "vllm", toolProbe: true, "chat.tools");

        report.Checks.Single(c => c.Id == "chat.tools.finish-reason").Verdict.Should().Be(Verdict.Divergence);
        report.Checks.Where(c => c.Id != "chat.tools.finish-reason").Should().OnlyContain(c => c.Verdict == Verdict.Pass);
    }

    [Theory]
    [InlineData(false, "0 passed, 0 failed, 0 warnings, 0 expected divergences, 1 not applicable")]
    [InlineData(true, "1 passed, 0 failed, 0 warnings, 0 expected divergences, 0 not applicable")]
    public async Task Cli_ToolProbeFlag_TurnsTheProbeOn(bool flag, string summary)
    {
        await using var server = await StrictChatServer.StartAsync();
        string[] args = ["--base-url", server.BaseUrl.ToString(), "--api-key", Suite.Key, "--model", StrictChatServer.Model, "--only", "chat.tools.call", "--quiet"];

        var (code, output, error) = await CliRunner.RunAsync(flag ? [.. args, "--tool-probe"] : args);

        code.Should().Be(Conformance.Cli.CliApp.Passed, error);
        output.Should().Contain(summary);
    }
}
