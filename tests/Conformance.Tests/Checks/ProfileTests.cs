using Conformance.Checks;
using Conformance.Profiles;
using Conformance.Tests.Fakes;
using Microsoft.Extensions.Time.Testing;

namespace Conformance.Tests.Checks;

public sealed class ProfileTests
{
    public static TheoryData<string> Profiles => [.. BuiltInProfiles.All.Keys];

    /// <summary>The profiles whose contract includes /v1/completions (llmbase documents chat only).</summary>
    public static TheoryData<string> CompletionProfiles => [.. BuiltInProfiles.All.Where(p => p.Value.LevelFor("completion.shape") != CheckLevel.NotApplicable).Select(p => p.Key)];

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Levels_NameOnlyExistingChecks(string name)
    {
        var profile = BuiltInProfiles.All[name];

        profile.Levels.Keys.Where(k => !Catalogue.All.Any(c => k.EndsWith('*') ? c.Id.StartsWith(k[..^1], StringComparison.Ordinal) : c.Id == k))
            .Should().BeEmpty("a level for a check that does not exist is a typo");
    }

    [Fact]
    public void LevelFor_ExactBeatsLongestPrefixBeatsDefault()
    {
        var profile = BuiltInProfiles.All["llamacpp"];

        profile.LevelFor("validation.unknown-parameter").Should().Be(CheckLevel.ExpectedDivergence);
        profile.LevelFor("validation.boolean.n.true").Should().Be(CheckLevel.ExpectedDivergence);
        profile.LevelFor("validation.missing-prompt").Should().Be(CheckLevel.Should);
        profile.LevelFor("models.list-shape").Should().Be(CheckLevel.Must);
        profile.LevelFor("validation.prompt-logprobs.while-streaming").Should().Be(CheckLevel.NotApplicable);
    }

    [Fact]
    public async Task VllmProfile_CoercedBooleans_AreReportedAsExpectedDivergence()
    {
        // A lax server: booleans and unknown fields accepted, as raw vLLM does (spec-facts §9 Q1, Q2).
        var fake = new FakeServerOptions();
        fake.DisabledRules.Add("validation.boolean.n.true");
        fake.DisabledRules.Add("validation.unknown-parameter");

        var report = await Suite.RunAsync(fake, o => o.Profile = "vllm", "validation.boolean.n", "validation.unknown-parameter");

        report.Checks.Single(c => c.Id == "validation.boolean.n.true").Verdict.Should().Be(Verdict.Divergence);
        report.Checks.Single(c => c.Id == "validation.unknown-parameter").Verdict.Should().Be(Verdict.Divergence);
        report.Checks.Single(c => c.Id == "validation.boolean.n.false").Message.Should().Contain("expected a divergence");
        report.Succeeded.Should().BeTrue("an expected divergence is reported, not failed");
        report.Summary.Divergent.Should().Be(2);
    }

    [Fact]
    public async Task VllmProfile_LaxServerWithIntegerCodes_HasOnlyExpectedDivergences()
    {
        // Arrange: what raw vLLM does (spec-facts §9 Q1-Q3, Q21): extras ignored, booleans and numeric strings coerced,
        // an empty stream_options accepted, model optional, integer error.code.
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.ErrorCodeInteger);
        foreach (var id in Catalogue.All.Select(c => c.Id).Where(id =>
            id.StartsWith("validation.boolean.", StringComparison.Ordinal) || id.StartsWith("validation.numeric-string.", StringComparison.Ordinal)
            || id is "validation.unknown-parameter" or "validation.stream-options.empty-without-stream" or "validation.missing-model"))
        {
            fake.DisabledRules.Add(id);
        }

        // Act
        var vllm = await Suite.RunAsync(fake, o => o.Profile = "vllm");
        var acs = await Suite.RunAsync(fake, o => o.Profile = "acs");

        // Assert: the same server is fine as raw vLLM, and far from the strict provider.
        // (The acs fake serves completions only: its chat checks are not applicable.)
        vllm.Checks.Where(c => c.Verdict is not (Verdict.Pass or Verdict.Divergence) && !Suite.ObservedOnly.Contains(c.Id) && c.Category != "chat").Select(c => $"{c.Id}: {c.Verdict} {c.Message}").Should().BeEmpty();
        vllm.Summary.Divergent.Should().BeGreaterThan(10);
        vllm.Succeeded.Should().BeTrue();
        acs.Summary.Failed.Should().BeGreaterThan(10);
        acs.Checks.Single(c => c.Id == "validation.boolean.seed.true").Verdict.Should().Be(Verdict.Fail);
        vllm.Checks.Single(c => c.Id == "validation.boolean.seed.true").Verdict.Should().Be(Verdict.Divergence);
    }

    [Theory]
    [InlineData("vllm", Hostility.Reset, "validation.boolean.n", "validation.unknown-parameter")]
    [InlineData("vllm", Hostility.Hang, "validation.boolean.n", "validation.unknown-parameter")]
    [InlineData("llamacpp", Hostility.Reset, "logprobs", "validation.range")]
    [InlineData("llamacpp", Hostility.Hang, "logprobs", "validation.range")]
    public async Task DivergenceOrShouldLevels_DoNotHideAnEndpointThatNeverAnswers(string profile, Hostility hostility, string first, string second)
    {
        // An expected divergence is a behaviour the endpoint shows; a reset or a hang is not one, at any level.
        var clock = new FakeTimeProvider();
        await using var server = await FakeAcsServer.StartAsync(new FakeServerOptions { Hostility = hostility });
        var options = Suite.Options(server.BaseUrl, first, second);
        options.Profile = profile;
        options.TimeProvider = clock;
        options.RunTimeout = TimeSpan.FromDays(1);

        // Each hung request set its timeout on the fake clock before it was sent, so one advance per hang times it out.
        using var done = new CancellationTokenSource();
        var run = ConformanceRunner.RunAsync(options);
        while (!run.IsCompleted)
        {
            var hang = server.WaitForHangAsync(done.Token);
            if (await Task.WhenAny(run, hang) == hang)
            {
                clock.Advance(options.RequestTimeout);
            }
        }

        await done.CancelAsync();
        var report = await run;

        report.Checks.Where(c => c.Verdict != Verdict.NotApplicable).Should().NotBeEmpty()
            .And.OnlyContain(c => c.Verdict == Verdict.Fail, "nothing was answered, so nothing conforms or diverges as expected");
        report.Succeeded.Should().BeFalse();
    }

    [Theory]
    [InlineData("vllm", "validation.boolean.n", "validation.unknown-parameter")]
    [InlineData("llamacpp", "logprobs", "validation.range")]
    public async Task DivergenceOrShouldLevels_DoNotHideAnEndpointAnswering5xx(string profile, string first, string second)
    {
        // Every completion answered 503 (Retry-After 0, so the bounded retries are quick): a 5xx is no expected behaviour.
        var fake = new FakeServerOptions { ColdStartFailures = int.MaxValue, RetryAfter = "0" };

        var report = await Suite.RunAsync(fake, o => o.Profile = profile, first, second);

        report.Checks.Where(c => c.Verdict != Verdict.NotApplicable).Should().NotBeEmpty()
            .And.OnlyContain(c => c.Verdict == Verdict.Fail && c.Message.Contains("503", StringComparison.Ordinal));
        report.Succeeded.Should().BeFalse();
    }

    [Fact]
    public async Task OpenAiProfile_SeparateEmptyFinishChunk_KeepsTheLogprobsRule()
    {
        // openai allows the finish on a separate chunk with empty text and "logprobs": null (spec-facts §4.3, §9 Q9).
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.StreamSeparateEmptyFinishChunk);

        var report = await Suite.RunAsync(fake, o => o.Profile = "openai", "logprobs.stream-per-chunk", "stream.finish-reason");

        report.Checks.Should().OnlyContain(c => c.Verdict == Verdict.Pass, string.Join("; ", report.Checks.Select(c => $"{c.Id}: {c.Message}")));
    }

    [Theory]
    [InlineData(Violation.ErrorCodeNull)]
    [InlineData(Violation.ErrorCodeUncited)]
    public async Task AcsProfile_PinsOnlyTheErrorCodesSpecFactsNames_AndAcceptsNull(Violation codes)
    {
        // spec-facts §11 item 2: code is a string or null; only invalid_type, unknown_parameter, model_not_found and
        // invalid_api_key are named, so missing_required_parameter, invalid_json and the like are not required.
        var fake = new FakeServerOptions();
        fake.Violations.Add(codes);

        var report = await Suite.RunAsync(fake, null, "validation", "auth");

        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => $"{c.Id}: {c.Message}").Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(CompletionProfiles))]
    public async Task TopKSize_FewerThanKEntries_IsAllowedUnderEveryProfile(string name)
    {
        // spec-facts §3.1 L4: entries can be fewer than k when two token ids decode to the same string.
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.LogprobsTopKFewer);

        var report = await Suite.RunAsync(fake, o => o.Profile = name, "logprobs.top-k-size");

        report.Checks.Single().Verdict.Should().Be(Verdict.Pass, report.Checks.Single().Message);
    }

    [Theory]
    [MemberData(nameof(CompletionProfiles))]
    public async Task StopChecks_ARunThatLeavesTheGreedyReference_IsNotAFailure(string name)
    {
        // Greedy decoding is not reliably deterministic (openai, vllm); only the exclusion of the stop string is certain.
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.StopRunDiverges);

        var report = await Suite.RunAsync(fake, o => o.Profile = name, "completion.stop");

        report.Checks.Where(c => c.Verdict is not (Verdict.Pass or Verdict.NotApplicable)).Select(c => $"{c.Id}: {c.Message}").Should().BeEmpty();
        report.Checks.Single(c => c.Id == "completion.stop.excluded").Message.Should().Contain("diverged");
    }

    [Fact]
    public async Task AcsProfile_IdsOf32HexDigits_AsSpecFactsDescribes_Pass()
    {
        var report = await Suite.RunAsync(new FakeServerOptions { IdHexDigits = 32 }, null, "completion.id-format");

        report.Checks.Single().Verdict.Should().Be(Verdict.Pass, report.Checks.Single().Message);
    }

    [Fact]
    public async Task OpenAiProfile_ContentFilterFinish_IsAValidFinishReason()
    {
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.FinishContentFilter);

        var openai = await Suite.RunAsync(fake, o => o.Profile = "openai", "completion.shape");
        var acs = await Suite.RunAsync(fake, null, "completion.shape");

        openai.Checks.Single().Verdict.Should().Be(Verdict.Pass, openai.Checks.Single().Message);
        acs.Checks.Single().Verdict.Should().Be(Verdict.Fail);
    }

    [Fact]
    public async Task AcsProfile_RetryAfterIsMust_AndZeroOnA429Fails()
    {
        // spec-facts §11 item 6: Retry-After is part of the provider contract, and a 429's is >= 1 second.
        var report = await Suite.RunAsync(new FakeServerOptions { ColdStartFailures = 1, ColdStartStatus = 429, RetryAfter = "0" }, null, "errors.retry-after");

        var check = report.Checks.Single();
        check.Level.Should().Be(CheckLevel.Must);
        check.Verdict.Should().Be(Verdict.Fail, check.Message);
        check.Evidence!.Seen.Should().Be("Retry-After: 0");
        report.Succeeded.Should().BeFalse();
    }

    [Fact]
    public async Task OpenAiProfile_OpenAiLikeServer_PassesEveryCheck()
    {
        // Arrange: the fake answering as OpenAI would (spec-facts §4.3, §9 Q9, §10 item 3): the finish on a separate chunk
        // with empty text and "logprobs": null, and a logprobs ceiling of 5.
        var fake = new FakeServerOptions { Dialect = FakeDialect.OpenAi };

        // Act
        var report = await Suite.RunAsync(fake, o => o.Profile = "openai");

        // Assert
        report.Checks.Where(c => c.Verdict is not (Verdict.Pass or Verdict.NotApplicable)).Select(c => $"{c.Id}: {c.Verdict} {c.Message}").Should().BeEmpty();
        report.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task OpenAiProfile_LogprobsCeilingIsFive()
    {
        // acs accepts logprobs 6 (its ceiling is 20), which breaks OpenAI's ceiling of 5 (spec-facts §10 item 3).
        var report = await Suite.RunAsync(new FakeServerOptions(), o => o.Profile = "openai", "validation.logprobs.above-limit", "validation.range.top_p-zero");

        report.Checks.Single(c => c.Id == "validation.logprobs.above-limit").Verdict.Should().Be(Verdict.Fail);
        report.Checks.Single(c => c.Id == "validation.logprobs.above-limit").Evidence!.Request.Should().Contain("\"logprobs\":6");
        report.Checks.Single(c => c.Id == "validation.range.top_p-zero").Verdict.Should().Be(Verdict.NotApplicable);
    }

    [Fact]
    public async Task VllmProfile_StringErrorCodes_BreakTheIntegerEnvelope()
    {
        var report = await Suite.RunAsync(new FakeServerOptions(), o => o.Profile = "vllm", "errors.envelope");

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Warn);
        check.Evidence!.Seen.Should().Contain("error.code is \"");
    }

    [Fact]
    public void Select_OnlyAndSkip_ByIdCategoryAndPrefix()
    {
        var options = Suite.Options(new Uri("http://127.0.0.1:1/v1"), "stream", "validation.boolean.n");
        options.Skip.Add("stream.usage");

        var ids = ConformanceRunner.Select(options).Select(c => c.Id).ToList();

        ids.Should().Contain(["validation.boolean.n.true", "validation.boolean.n.false", "stream.content-type"]);
        ids.Should().NotContain(id => id.StartsWith("stream.usage.", StringComparison.Ordinal) || id.StartsWith("validation.boolean.max_tokens", StringComparison.Ordinal));
    }
}
