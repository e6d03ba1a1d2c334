using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>
/// The chat rules are profile data: each dialect passes every chat check under its own profile, fails another profile
/// exactly where the two wires differ (spec-facts §5, §12.2, §13), and the chat gate makes chat not applicable, or a
/// failure when asked for with --only, on an endpoint that does not serve it.
/// </summary>
public sealed class ChatProfileTests
{
    [Theory]
    [InlineData(ChatDialect.OpenAi, "openai")]
    [InlineData(ChatDialect.OpenAi, "acs")]
    [InlineData(ChatDialect.Llmbase, "llmbase")]
    [InlineData(ChatDialect.Vllm, "vllm")]
    [InlineData(ChatDialect.LlamaCpp, "llamacpp")]
    public async Task ChatChecks_DialectUnderItsProfile_AllPass(ChatDialect dialect, string profile)
    {
        var report = await ChatSuite.RunAsync(new FakeChatOptions { Dialect = dialect }, o => o.Profile = profile, [.. ChatSuite.Ids]);

        report.Checks.Should().HaveCount(ChatSuite.Ids.Count);
        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => $"{c.Id}: {c.Verdict} {c.Message} | seen {c.Evidence?.Seen}").Should().BeEmpty();
        report.Usage.TokensSpent.Should().BeInRange(1, 400, "five short chat probes and the gate");
    }

    /// <summary>Where two wires differ; every other chat check passes.</summary>
    [Theory]
    [InlineData(ChatDialect.Llmbase, "openai", "chat.stream.role-first,chat.stream.usage.when-requested,chat.stream.usage.without-options,chat.stream.usage.other-chunks")]
    [InlineData(ChatDialect.OpenAi, "llmbase", "chat.stream.role-first,chat.stream.usage.when-requested,chat.stream.usage.without-options,chat.stream.usage.other-chunks")]
    [InlineData(ChatDialect.OpenAi, "vllm", "chat.stream.finish-placement,chat.stream.usage.other-chunks")]
    [InlineData(ChatDialect.Vllm, "openai", "chat.stream.finish-placement,chat.stream.usage.other-chunks,chat.logprobs.shape,chat.logprobs.values-non-positive,chat.logprobs.bytes-match-token,chat.logprobs.top-at-most-k,chat.logprobs.top-sorted")]
    [InlineData(ChatDialect.OpenAi, "llamacpp", "chat.stream.role-first,chat.stream.usage.other-chunks")]
    [InlineData(ChatDialect.LlamaCpp, "openai", "chat.stream.role-first,chat.stream.usage.other-chunks,chat.response.shape,chat.logprobs.shape,chat.logprobs.values-non-positive,chat.logprobs.bytes-match-token,chat.logprobs.top-at-most-k,chat.logprobs.top-sorted")]
    public async Task ChatChecks_DialectUnderAnotherProfile_FailExactlyWhereTheWiresDiffer(ChatDialect dialect, string profile, string differences)
    {
        var report = await ChatSuite.RunAsync(new FakeChatOptions { Dialect = dialect }, o => o.Profile = profile, [.. ChatSuite.Ids]);

        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => c.Id).Should().BeEquivalentTo(differences.Split(','));
        report.Checks.Where(c => c.Verdict != Verdict.Pass).Should().OnlyContain(c => c.Verdict == Verdict.Fail && c.Evidence != null && !c.Message.Contains("nothing to judge", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, false, "404")]
    [InlineData(false, true, "has no chat template")]
    public async Task ChatChecks_EndpointWithoutChat_AreNotApplicable_WithTheReason(bool noRoute, bool noTemplate, string reason)
    {
        var fake = new FakeChatOptions { NoRoute = noRoute, NoTemplate = noTemplate };

        var report = await ChatSuite.RunAsync(fake, o =>
        {
            foreach (var category in ChatSuite.OtherCategories)
            {
                o.Skip.Add(category);
            }
        });

        var mine = report.Checks.Where(c => ChatSuite.Ids.Contains(c.Id)).ToList();
        mine.Should().HaveCount(ChatSuite.Ids.Count).And.OnlyContain(c => c.Verdict == Verdict.NotApplicable && c.Message.Contains(reason, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true, false, "404")]
    [InlineData(false, true, "has no chat template")]
    public async Task ChatChecks_EndpointWithoutChat_AskedForWithOnly_Fail(bool noRoute, bool noTemplate, string reason)
    {
        var fake = new FakeChatOptions { NoRoute = noRoute, NoTemplate = noTemplate };

        var report = await ChatSuite.RunAsync(fake, null, "chat.stream", "chat.response.shape");

        report.Checks.Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.Fail && c.Message.Contains("--only", StringComparison.Ordinal) && c.Message.Contains(reason, StringComparison.Ordinal));
        report.Succeeded.Should().BeFalse();
    }

    [Theory]
    [InlineData(ChatDialect.Llmbase, "absent", "1", "true")]
    [InlineData(ChatDialect.OpenAi, "\"\"", "0", "true")]
    [InlineData(ChatDialect.LlamaCpp, "null", "0", "true")]
    [InlineData(ChatDialect.Vllm, "\"\"", "0", "false")]
    public async Task ChatObservations_RecordWhatTheServerSent_SoDiffShowsAChangeOfWire(ChatDialect dialect, string roleContent, string usageWithoutOptions, string finishDeltaEmpty)
    {
        // Under one profile for all: observations record the wire seen, not the profile's expectation.
        var report = await ChatSuite.RunAsync(new FakeChatOptions { Dialect = dialect }, null, [.. ChatSuite.Ids]);

        report.Observations.Should().Contain(new KeyValuePair<string, string>("chat.stream.role_chunk_content", roleContent));
        report.Observations.Should().Contain(new KeyValuePair<string, string>("chat.stream.usage_chunks_without_options", usageWithoutOptions));
        report.Observations.Should().Contain(new KeyValuePair<string, string>("chat.stream.finish_delta_empty", finishDeltaEmpty));
    }
}
