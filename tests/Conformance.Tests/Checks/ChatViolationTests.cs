using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>Every chat response check fails, with evidence, on a chat server that breaks its rule (issue 7, "a server that violates it").</summary>
public sealed class ChatViolationTests
{
    /// <summary>The violation that breaks each check, and what the check's message must say.</summary>
    private static readonly Dictionary<string, (ChatViolation Violation, string Because)> Violations = new(StringComparer.Ordinal)
    {
        ["chat.stream.content-type"] = (ChatViolation.StreamContentTypeJson, "not served as text/event-stream"),
        ["chat.stream.data-only"] = (ChatViolation.StreamEventField, "a field other than data"),
        ["chat.stream.json-per-event"] = (ChatViolation.StreamNonJsonEvent, "not a JSON object"),
        ["chat.stream.done.single-and-last"] = (ChatViolation.StreamDataAfterDone, "follow [DONE]"),
        ["chat.stream.done.blank-line"] = (ChatViolation.StreamDoneWithoutBlankLine, "not followed by a blank line"),
        ["chat.stream.not-truncated"] = (ChatViolation.StreamNoDone, "without [DONE] (truncated)"),
        ["chat.stream.sse-parser-agreement"] = (ChatViolation.StreamEventOnlyBlock, "differs between the strict parser and SseParser"),
        ["chat.stream.object"] = (ChatViolation.ChunkObjectWrong, "object is not \"chat.completion.chunk\""),
        ["chat.stream.constant-identity"] = (ChatViolation.CreatedTicks, "created changes"),
        ["chat.stream.role-first"] = (ChatViolation.RoleChunkMissing, "first chunk carries no role"),
        ["chat.stream.delta-keys"] = (ChatViolation.DeltaUnknownKey, "unknown key(s) \"text\""),
        ["chat.stream.content-equals-non-stream"] = (ChatViolation.StreamContentDiffers, "streamed content differs"),
        ["chat.stream.finish-placement"] = (ChatViolation.FinishWithLastContent, "delta that is not empty"),
        ["chat.stream.finish-once"] = (ChatViolation.FinishTwice, "finishes 2 times"),
        ["chat.stream.usage.when-requested"] = (ChatViolation.NoUsageChunk, "0 chunks carry usage"),
        ["chat.stream.usage.without-options"] = (ChatViolation.UsageAlways, "although stream_options was not sent"),
        ["chat.stream.usage.other-chunks"] = (ChatViolation.UsageNullOmitted, "does not carry usage: null"),
        ["chat.stream.usage.sums-exact"] = (ChatViolation.StreamUsageTotalOff, "usage does not add up"),
        ["chat.stream.usage.matches-non-stream"] = (ChatViolation.StreamUsageCompletionOff, "differs from the non-streamed usage"),
        ["chat.response.shape"] = (ChatViolation.ResponseObjectWrong, "not \"chat.completion\""),
        ["chat.response.id-format"] = (ChatViolation.IdWithoutPrefix, "does not match the profile's pattern"),
        ["chat.response.finish-reason-values"] = (ChatViolation.FinishEos, "\"eos\", not one of"),
        ["chat.response.usage.sums-exact"] = (ChatViolation.UsageTotalOff, "usage does not add up"),
        ["chat.response.length-implies-max-tokens"] = (ChatViolation.LengthCompletionTokensOff, "differs from max_tokens"),
        ["chat.logprobs.shape"] = (ChatViolation.LogprobsRefusalOmitted, "lacks the \"refusal\" key"),
        ["chat.logprobs.values-non-positive"] = (ChatViolation.LogprobsPositive, "= 0.5"),
        ["chat.logprobs.bytes-match-token"] = (ChatViolation.LogprobsBytesWrong, ".bytes = ["),
        ["chat.logprobs.top-at-most-k"] = (ChatViolation.LogprobsTopTooMany, "has 3 entries"),
        ["chat.logprobs.top-sorted"] = (ChatViolation.LogprobsTopUnsorted, "is not sorted"),
    };

    /// <summary>Messages of a check that failed for a reason other than its rule: the probe itself went wrong.</summary>
    private static readonly string[] NotTheRule =
    [
        "the request was answered HTTP", "not evaluable", "could not be evaluated", "did not answer", "connection failed", "the streaming request was answered HTTP", "no chat chunk", "nothing to judge", "--only",
    ];

    public static TheoryData<string> CheckIds => [.. ChatSuite.Ids];

    [Fact]
    public void EveryChatCheck_HasAViolation()
    {
        Violations.Keys.Should().BeEquivalentTo(ChatSuite.Ids, "every chat check needs a broken server that makes it fail");
        Violations.Values.Select(v => v.Violation).Should().OnlyHaveUniqueItems();
    }

    [Theory]
    [MemberData(nameof(CheckIds))]
    public async Task ChatCheck_FailsWithEvidence_OnServerBreakingItsRule(string id)
    {
        // Arrange
        var fake = new FakeChatOptions();
        fake.Violations.Add(Violations[id].Violation);

        // Act
        var report = await ChatSuite.RunAsync(fake, null, id);

        // Assert
        var check = report.Checks.Should().ContainSingle().Subject;
        check.Verdict.Should().Be(check.Level == CheckLevel.Should ? Verdict.Warn : Verdict.Fail, check.Message);
        check.Message.Should().NotContainAny(NotTheRule).And.Contain(Violations[id].Because);
        check.Evidence.Should().NotBeNull();
        check.Evidence!.Expected.Should().NotBeNullOrWhiteSpace();
        check.Evidence.Seen.Should().NotBeNullOrWhiteSpace();
        check.Evidence.Request.Should().NotBeNullOrWhiteSpace().And.NotContain(Suite.Key).And.Contain("chat/completions");
        check.Evidence.Excerpt.Should().NotBeNullOrWhiteSpace();
    }

    /// <summary>Second ways to break checks that judge several things; each must be caught too.</summary>
    public static TheoryData<string, ChatViolation, string> SecondViolations => new()
    {
        { "chat.logprobs.shape", ChatViolation.StreamLogprobsMissing, "streamed chunk #" },
        { "chat.stream.finish-once", ChatViolation.ContentAfterFinish, "1 chunk(s) after its finish" },
        { "chat.stream.finish-once", ChatViolation.IntermediateFinishEmpty, "finishes 7 times" }, // "" on the role chunk, 5 content chunks and the finish
        { "chat.stream.usage.when-requested", ChatViolation.UsageNotLast, "not the last chunk" },
        { "chat.response.shape", ChatViolation.ToolCallsNull, "tool_calls is null, not an array" },
        { "chat.response.shape", ChatViolation.MessageRefusalOmitted, "message lacks \"refusal\"" },
        { "chat.stream.role-first", ChatViolation.RoleChunkContentNull, "role chunk has content null" },
        { "chat.response.finish-reason-values", ChatViolation.StreamFinishEos, "a streamed finish_reason is \"eos\"" },
        { "chat.response.id-format", ChatViolation.StreamIdWithoutPrefix, "a chat chunk's id" },
    };

    [Theory]
    [MemberData(nameof(SecondViolations))]
    public async Task ChatCheck_FailsOnASecondWayOfBreakingIt(string id, ChatViolation violation, string because)
    {
        var fake = new FakeChatOptions();
        fake.Violations.Add(violation);

        var report = await ChatSuite.RunAsync(fake, null, id);

        var check = report.Checks.Should().ContainSingle().Subject;
        check.Verdict.Should().Be(Verdict.Fail, check.Message);
        check.Evidence!.Seen.Should().NotBeNullOrWhiteSpace();
        check.Message.Should().NotContainAny(NotTheRule).And.Contain(because);
    }

    [Fact]
    public async Task ChatLogprobs_ARefusedStream_FailsOnlyTheShapeCheck_AndTheOthersSayWhatTheyDidNotJudge()
    {
        var fake = new FakeChatOptions();
        fake.Violations.Add(ChatViolation.LogprobsStreamRejected);

        var report = await ChatSuite.RunAsync(fake, null, "chat.logprobs");

        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => c.Id).Should().Equal("chat.logprobs.shape");
        report.Checks.Single(c => c.Id == "chat.logprobs.shape").Message.Should().Contain("HTTP 400");
        report.Checks.Where(c => c.Id != "chat.logprobs.shape").Should().OnlyContain(c => c.Message.Contains("the stream was not judged", StringComparison.Ordinal));
    }
}
