using Conformance.Checks;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>Every check fails, with evidence, on a server that breaks its rule (issue 3, "Proof that the checks can fail").</summary>
public sealed class ViolationTests
{
    /// <summary>The violation that breaks each non-validation check; validation and auth checks disable the fake's rule of the same id.</summary>
    private static readonly Dictionary<string, Violation> Violations = new(StringComparer.Ordinal)
    {
        ["errors.envelope"] = Violation.ErrorOmitsNullKeys,
        ["errors.no-5xx"] = Violation.ServerErrorOnBadLogitBias,
        ["errors.retry-after"] = Violation.UnavailableWithoutRetryAfter,
        ["errors.stream-error-event"] = Violation.StreamErrorEventWithoutDone,
        ["limits.ratelimit-headers"] = Violation.RateLimitRemainingAboveLimit,
        ["schema.completion"] = Violation.CompletionExtraKey,
        ["schema.chunk"] = Violation.StreamChunkExtraKey,
        ["schema.error"] = Violation.ErrorExtraKey,
        ["schema.models"] = Violation.ModelCardExtraKey,
        ["completion.shape"] = Violation.NonStreamObjectWrong,
        ["completion.id-format"] = Violation.IdWithoutPrefix,
        ["completion.usage.sums-exact"] = Violation.UsageTotalOff,
        ["completion.length-implies-max-tokens"] = Violation.LengthCompletionTokensOff,
        ["completion.stop.excluded"] = Violation.StopStringIncluded,
        ["completion.stop.reason-names-match"] = Violation.StopReasonNull,
        ["consistency.stream-equals-non-stream"] = Violation.StreamTextDiffers,
        ["consistency.seed-repeatable"] = Violation.SeedIgnored,
        ["models.list-shape"] = Violation.ModelsObjectWrong,
        ["models.lists-model"] = Violation.ModelsMissingConfigured,
        ["stream.content-type"] = Violation.StreamContentTypeJson,
        ["stream.data-only"] = Violation.StreamEventField,
        ["stream.json-per-event"] = Violation.StreamNonJsonEvent,
        ["stream.done.single-and-last"] = Violation.StreamDataAfterDone,
        ["stream.not-truncated"] = Violation.StreamNoDone,
        ["stream.done.blank-line"] = Violation.StreamDoneWithoutBlankLine,
        ["stream.constant-identity"] = Violation.StreamCreatedTicks,
        ["stream.sse-parser-agreement"] = Violation.StreamEventOnlyBlock,
        ["stream.chunk-shape"] = Violation.StreamChunkMissingStopReason,
        ["stream.usage.null-on-content-chunks"] = Violation.StreamContentUsageOmitted,
        ["stream.finish-reason.null-until-end"] = Violation.StreamIntermediateEmptyFinish,
        ["stream.finish-reason.once-per-choice"] = Violation.StreamNoFinishReason,
        ["stream.finish-reason.on-last-content-chunk"] = Violation.StreamSeparateEmptyFinishChunk,
        ["stream.usage.present-when-requested"] = Violation.StreamNoUsageChunk,
        ["stream.usage.absent-when-not-requested"] = Violation.StreamUsageAlways,
        ["stream.usage.absent-when-options-empty"] = Violation.StreamUsageWhenOptionsPresent,
        ["stream.usage.absent-when-include-usage-false"] = Violation.StreamUsageWhenIncludeUsageFalse,
        ["stream.usage.sums-exact"] = Violation.StreamUsageTotalOff,
        ["stream.length-implies-max-tokens"] = Violation.StreamUsageCompletionOff,
        ["logprobs.arrays-equal-length"] = Violation.LogprobsShortOffsets,
        ["logprobs.values-non-positive"] = Violation.LogprobsPositive,
        ["logprobs.top-k-size"] = Violation.LogprobsTopKTooMany,
        ["logprobs.top-contains-sampled"] = Violation.LogprobsTopMissingSampled,
        ["logprobs.text-offset-non-decreasing"] = Violation.LogprobsOffsetsDecreasing,
        ["logprobs.echo-first-null"] = Violation.EchoFirstNotNull,
        ["logprobs.prompt-logprobs-shape"] = Violation.PromptLogprobsFirstNotNull,
        ["logprobs.stream-per-chunk"] = Violation.StreamLogprobsNull,
    };

    /// <summary>What each check's failure message must say: that it failed on its own rule, not on some other detail.</summary>
    private static readonly Dictionary<string, string> Because = new(StringComparer.Ordinal)
    {
        ["completion.id-format"] = "does not match the profile's pattern",
        ["completion.length-implies-max-tokens"] = "completion_tokens differs from max_tokens",
        ["completion.shape"] = "not \"text_completion\"",
        ["completion.stop.excluded"] = "contains the stop string",
        ["completion.stop.reason-names-match"] = "stop_reason does not name",
        ["completion.usage.sums-exact"] = "usage does not add up",
        ["consistency.seed-repeatable"] = "gave different choices",
        ["consistency.stream-equals-non-stream"] = "streamed text differs",
        ["errors.envelope"] = "error.param is absent",
        ["errors.no-5xx"] = "answered HTTP 500",
        ["errors.retry-after"] = "without a usable Retry-After",
        ["errors.stream-error-event"] = "not followed by [DONE] alone: the stream ended right after it, without [DONE]",
        ["limits.ratelimit-headers"] = "x-ratelimit-remaining-requests exceeds x-ratelimit-limit-requests",
        ["logprobs.arrays-equal-length"] = "text_offset: 4",
        ["logprobs.echo-first-null"] = "logprob is not null",
        ["logprobs.prompt-logprobs-shape"] = "not a list starting with null",
        ["logprobs.stream-per-chunk"] = "lacks its logprobs",
        ["logprobs.text-offset-non-decreasing"] = "text_offset[1]",
        ["logprobs.top-contains-sampled"] = "lacks",
        ["logprobs.top-k-size"] = "has 4",
        ["logprobs.values-non-positive"] = "= 0.5",
        ["models.list-shape"] = "not \"list\"",
        ["models.lists-model"] = "not listed",
        ["schema.chunk"] = "system_fingerprint",
        ["schema.completion"] = "metrics",
        ["schema.error"] = "$.error.object",
        ["schema.models"] = "meta",
        ["stream.chunk-shape"] = "lacks keys or has wrong types",
        ["stream.constant-identity"] = "created changes",
        ["stream.content-type"] = "not served as text/event-stream",
        ["stream.data-only"] = "a field other than data",
        ["stream.done.blank-line"] = "not followed by a blank line",
        ["stream.done.single-and-last"] = "follow [DONE]",
        ["stream.finish-reason.null-until-end"] = "non-null finish_reason before its finish",
        ["stream.finish-reason.on-last-content-chunk"] = "finishes on a chunk with empty text",
        ["stream.finish-reason.once-per-choice"] = "finishes 0 times",
        ["stream.json-per-event"] = "not a JSON object",
        ["stream.length-implies-max-tokens"] = "completion_tokens differs from max_tokens",
        ["stream.not-truncated"] = "without [DONE] (truncated)",
        ["stream.sse-parser-agreement"] = "differs between the strict parser and SseParser",
        ["stream.usage.absent-when-not-requested"] = "although stream_options was not sent",
        ["stream.usage.absent-when-options-empty"] = "stream_options did not set include_usage",
        ["stream.usage.absent-when-include-usage-false"] = "although include_usage was false",
        ["stream.usage.null-on-content-chunks"] = "does not carry usage: null",
        ["stream.usage.present-when-requested"] = "0 chunks carry usage",
        ["stream.usage.sums-exact"] = "usage does not add up",
    };

    /// <summary>Messages of a check that failed for a reason other than its rule: the probe itself went wrong.</summary>
    private static readonly string[] NotTheRule =
    [
        "the request was answered HTTP", "not evaluable", "could not be evaluated", "did not answer", "connection failed", "the streaming request was answered HTTP", "no content chunk",
    ];

    /// <summary>
    /// Every check the acs fake can break. Chat checks are broken on the chat fakes: the response, stream and logprobs
    /// checks by FakeChatServer's violations (ChatViolationTests), the validation, tool and schema checks by
    /// StrictChatServer's (ChatValidationTests, ChatToolTests, ChatSchemaTests), one violation per check.
    /// </summary>
    public static TheoryData<string> CheckIds => [.. Catalogue.All.Select(c => c.Id).Where(id => !IsChat(id))];

    private static bool BrokenByRule(string id) => id.StartsWith("validation.", StringComparison.Ordinal) || id.StartsWith("auth.", StringComparison.Ordinal);

    private static bool IsChat(string id) => id.StartsWith("chat.", StringComparison.Ordinal);

    [Fact]
    public void EveryCheck_HasAViolation()
    {
        var missing = Catalogue.All.Select(c => c.Id).Where(id => !BrokenByRule(id) && !IsChat(id) && !Violations.ContainsKey(id));
        var stale = Violations.Keys.Where(id => Catalogue.All.All(c => c.Id != id));

        missing.Should().BeEmpty("every check needs a broken server that makes it fail");
        Violations.Keys.Should().BeEquivalentTo(Because.Keys, "every violation names what its check's message must say");
        stale.Should().BeEmpty();
        Violations.Values.Should().OnlyHaveUniqueItems();
    }

    /// <summary>Second ways to break checks that judge several things; each must be caught too.</summary>
    public static TheoryData<string, Violation, string> SecondViolations => new()
    {
        { "stream.usage.present-when-requested", Violation.StreamUsageNotLast, "not the last chunk" },
        { "stream.usage.present-when-requested", Violation.StreamUsageChoicesNotEmpty, "choices is not []" },
        { "stream.done.single-and-last", Violation.StreamGarbageAfterDone, "bytes that are not comments follow [DONE]" },
        { "stream.done.single-and-last", Violation.StreamFieldBlocksAfterDone, "field lines follow [DONE]" },
        { "stream.data-only", Violation.StreamErrorFieldBlock, "a block without data carries a field other than data" },
        { "stream.data-only", Violation.StreamEventOnlyBlock, "a block without data carries a field other than data" },
        { "stream.chunk-shape", Violation.StreamChunkMissingIdentity, "id = absent, created = absent, model = absent" },
        { "completion.stop.excluded", Violation.StopFinishLength, "finish_reason is not \"stop\"" },
        { "completion.shape", Violation.FinishContentFilter, "finish_reason is \"content_filter\"" },
        { "stream.finish-reason.on-last-content-chunk", Violation.StreamContentAfterFinish, "sends content after its finish chunk" },
        { "errors.envelope", Violation.ErrorCodeInteger, "error.code is 400" },
        { "errors.envelope", Violation.ErrorNotEnvelope, "no `error` object" },
        { "validation.unknown-parameter", Violation.ErrorParamNull, "error.param" },
        { "validation.unknown-parameter", Violation.ErrorTypeWrong, "error.type" },
        { "validation.unknown-model", Violation.ErrorCodeInteger, "error.code" },
        { "auth.wrong-key", Violation.ErrorNotEnvelope, "not the OpenAI envelope" },
    };

    [Theory]
    [MemberData(nameof(SecondViolations))]
    public async Task Check_FailsOnASecondWayOfBreakingIt(string id, Violation violation, string because)
    {
        var fake = new FakeServerOptions();
        fake.Violations.Add(violation);

        var report = await Suite.RunAsync(fake, null, id);

        var check = report.Checks.Should().ContainSingle().Subject;
        check.Verdict.Should().Be(Verdict.Fail, check.Message);
        check.Evidence!.Seen.Should().NotBeNullOrWhiteSpace();
        check.Message.Should().NotContainAny(NotTheRule).And.Contain(because);
    }

    [Theory]
    [InlineData(Violation.EchoRejected, "logprobs.echo-first-null")]
    [InlineData(Violation.StreamRejected, "logprobs.stream-per-chunk")]
    public async Task LogprobsChecks_AFailedProbeFailsOnlyTheCheckThatOwnsIt(Violation violation, string owner)
    {
        var fake = new FakeServerOptions();
        fake.Violations.Add(violation);

        var report = await Suite.RunAsync(fake, null, "logprobs");

        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => c.Id).Should().Equal(owner);
        report.Checks.Single(c => c.Id == owner).Message.Should().Contain("HTTP 400");
    }

    [Theory]
    [MemberData(nameof(CheckIds))]
    public async Task Check_FailsWithEvidence_OnServerBreakingItsRule(string id)
    {
        // Arrange
        var fake = new FakeServerOptions();
        if (BrokenByRule(id))
        {
            fake.DisabledRules.Add(id);
        }
        else
        {
            fake.Violations.Add(Violations[id]);
        }

        // Act
        var report = await Suite.RunAsync(fake, null, id);

        // Assert
        var check = report.Checks.Should().ContainSingle().Subject;
        check.Verdict.Should().Be(check.Level == CheckLevel.Should ? Verdict.Warn : Verdict.Fail, check.Message);
        report.Succeeded.Should().Be(check.Level == CheckLevel.Should);
        check.Evidence.Should().NotBeNull();
        check.Evidence!.Expected.Should().NotBeNullOrWhiteSpace();
        check.Evidence.Seen.Should().NotBeNullOrWhiteSpace();
        check.Evidence.Request.Should().NotBeNullOrWhiteSpace().And.NotContain(Suite.Key);
        check.Evidence.Excerpt.Should().NotBeNullOrWhiteSpace();
        if (BrokenByRule(id))
        {
            // The disabled rule makes the fake accept the request; the check must fail on that, not on some other detail.
            check.Message.Should().Contain("(the request was accepted)");
            check.Evidence.Seen.Should().Be("HTTP 200");
        }
        else
        {
            check.Message.Should().NotContainAny(NotTheRule).And.Contain(Because[id]);
        }

        if (check.Evidence.Request!.Contains("Authorization", StringComparison.Ordinal) && !id.StartsWith("auth.", StringComparison.Ordinal))
        {
            check.Evidence.Request.Should().Contain("Bearer ***");
        }
    }
}
