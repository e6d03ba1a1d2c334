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

    /// <summary>Messages of a check that failed for a reason other than its rule: the probe itself went wrong.</summary>
    private static readonly string[] NotTheRule =
    [
        "the request was answered HTTP", "not evaluable", "could not be evaluated", "did not answer", "connection failed", "the streaming request was answered HTTP", "no content chunk",
    ];

    public static TheoryData<string> CheckIds => [.. Catalogue.All.Select(c => c.Id)];

    private static bool BrokenByRule(string id) => id.StartsWith("validation.", StringComparison.Ordinal) || id.StartsWith("auth.", StringComparison.Ordinal);

    [Fact]
    public void EveryCheck_HasAViolation()
    {
        var missing = Catalogue.All.Select(c => c.Id).Where(id => !BrokenByRule(id) && !Violations.ContainsKey(id));
        var stale = Violations.Keys.Where(id => Catalogue.All.All(c => c.Id != id));

        missing.Should().BeEmpty("every check needs a broken server that makes it fail");
        stale.Should().BeEmpty();
        Violations.Values.Should().OnlyHaveUniqueItems();
    }

    /// <summary>Second ways to break checks that judge several things; each must be caught too.</summary>
    public static TheoryData<string, Violation> SecondViolations => new()
    {
        { "stream.usage.present-when-requested", Violation.StreamUsageNotLast },
        { "stream.usage.present-when-requested", Violation.StreamUsageChoicesNotEmpty },
        { "stream.done.single-and-last", Violation.StreamGarbageAfterDone },
        { "stream.done.single-and-last", Violation.StreamFieldBlocksAfterDone },
        { "stream.data-only", Violation.StreamErrorFieldBlock },
        { "stream.chunk-shape", Violation.StreamChunkMissingIdentity },
        { "completion.stop.excluded", Violation.StopFinishLength },
        { "completion.shape", Violation.FinishContentFilter },
        { "stream.data-only", Violation.StreamEventOnlyBlock },
        { "stream.finish-reason.on-last-content-chunk", Violation.StreamContentAfterFinish },
        { "errors.envelope", Violation.ErrorCodeInteger },
        { "errors.envelope", Violation.ErrorNotEnvelope },
        { "validation.unknown-parameter", Violation.ErrorParamNull },
        { "validation.unknown-parameter", Violation.ErrorTypeWrong },
        { "validation.unknown-model", Violation.ErrorCodeInteger },
        { "auth.wrong-key", Violation.ErrorNotEnvelope },
    };

    [Theory]
    [MemberData(nameof(SecondViolations))]
    public async Task Check_FailsOnASecondWayOfBreakingIt(string id, Violation violation)
    {
        var fake = new FakeServerOptions();
        fake.Violations.Add(violation);

        var report = await Suite.RunAsync(fake, null, id);

        var check = report.Checks.Should().ContainSingle().Subject;
        check.Verdict.Should().Be(Verdict.Fail, check.Message);
        check.Evidence!.Seen.Should().NotBeNullOrWhiteSpace();
        check.Message.Should().NotContainAny(NotTheRule);
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
            check.Message.Should().NotContainAny(NotTheRule);
        }

        if (check.Evidence.Request!.Contains("Authorization", StringComparison.Ordinal) && !id.StartsWith("auth.", StringComparison.Ordinal))
        {
            check.Evidence.Request.Should().Contain("Bearer ***");
        }
    }
}
