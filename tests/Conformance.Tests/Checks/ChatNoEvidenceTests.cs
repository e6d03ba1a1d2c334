using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>
/// A chat rule that holds only vacuously is no pass (docs/conformance.md, "No verdict without evidence"): an empty
/// reference, bytes that are all null, top_logprobs lists too short to have an order. Each check fails saying what it
/// lacked, and only that check: the answers are otherwise well-formed.
/// </summary>
public sealed class ChatNoEvidenceTests
{
    [Theory]
    [InlineData(ChatViolation.EmptyAnswer, "chat.stream.content-equals-non-stream", "message.content is \"\"")]
    [InlineData(ChatViolation.LogprobsBytesNull, "chat.logprobs.bytes-match-token", "every bytes is null")]
    [InlineData(ChatViolation.LogprobsTopSingle, "chat.logprobs.top-sorted", "no top_logprobs list has two entries")]
    public async Task ChatCheck_WithNothingToJudge_FailsSayingWhatWasMissing(ChatViolation violation, string id, string missing)
    {
        // Arrange
        var fake = new FakeChatOptions();
        fake.Violations.Add(violation);

        // Act
        var report = await ChatSuite.RunAsync(fake, null, id);

        // Assert
        var check = report.Checks.Should().ContainSingle().Subject;
        check.Verdict.Should().Be(Verdict.Fail, check.Message);
        check.Message.Should().StartWith("nothing to judge: ").And.Contain(missing);
        check.Evidence!.Request.Should().Contain("chat/completions");
        check.Evidence.Seen.Should().NotBeNullOrWhiteSpace();
    }

    [Theory]
    [InlineData(ChatViolation.LogprobsBytesNull, "chat.logprobs.bytes-match-token")]
    [InlineData(ChatViolation.LogprobsTopSingle, "chat.logprobs.top-sorted")]
    public async Task ChatLogprobs_NothingToJudgeForOneRule_LeavesTheOthersJudged(ChatViolation violation, string id)
    {
        // null bytes are allowed (spec-facts §3.3) and one top entry is at most k: only the rule without evidence fails.
        var fake = new FakeChatOptions();
        fake.Violations.Add(violation);

        var report = await ChatSuite.RunAsync(fake, null, "chat.logprobs");

        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => c.Id).Should().Equal(id);
    }
}
