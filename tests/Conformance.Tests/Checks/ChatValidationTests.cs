using Conformance.Checks;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>
/// The <c>chat.validation.*</c> checks against <see cref="StrictChatServer"/>: a strict fake passes them, each rule
/// turned off fails its check, and a lax server (vLLM-like) gives the profile's expected divergence.
/// </summary>
public sealed class ChatValidationTests
{
    /// <summary>Every chat check this file's owner wrote: validation, the tool probe and the chat schemas.</summary>
    internal static readonly string[] Owned = ["chat.validation", "chat.tools", "chat.schema"];

    public static TheoryData<string> ValidationIds()
    {
        var data = new TheoryData<string>();
        foreach (var check in ChatValidationChecks.All())
        {
            data.Add(check.Id);
        }

        return data;
    }

    [Theory]
    [InlineData("acs", "openai")]
    [InlineData("acs", "llmbase")]
    [InlineData("openai", "openai")]
    [InlineData("openai", "llmbase")]
    public async Task RunAsync_StrictFake_PassesEveryValidationToolAndSchemaCheck(string profile, string dialect)
    {
        // Arrange
        var fake = new StrictChatOptions { Dialect = dialect };

        // Act
        var report = await StrictChatServer.RunAsync(fake, profile, toolProbe: true, Owned);

        // Assert: everything passes but what the profile itself declares not applicable (openai: vLLM samplers).
        report.Checks.Should().HaveCount(Catalogue.All.Count(c => Owned.Any(o => Catalogue.Matches(c, o))));
        var level = Profiles.BuiltInProfiles.All[profile];
        report.Checks.Where(c => !(c.Verdict == Verdict.Pass || (c.Verdict == Verdict.NotApplicable && level.LevelFor(c.Id) == CheckLevel.NotApplicable)))
            .Select(c => $"{c.Id}: {c.Verdict} {c.Message} | {c.Evidence?.Excerpt}")
            .Should().BeEmpty();
        report.Observations["chat.validation.booleans_accepted"].Should().Be("0");
    }

    /// <summary>
    /// Also proves each probe carries nothing else the fake could refuse: <c>top_logprobs</c> booleans go with
    /// <c>logprobs: true</c>, or the fake would still refuse them (as "top_logprobs without logprobs").
    /// </summary>
    [Theory]
    [MemberData(nameof(ValidationIds))]
    public async Task RunAsync_RuleTurnedOff_FailsItsCheck(string id)
    {
        // Arrange: the fake accepts what this one check sends.
        var fake = new StrictChatOptions();
        fake.DisabledRules.Add(id);

        // Act
        var report = await StrictChatServer.RunAsync(fake, "acs", toolProbe: false, id);

        // Assert
        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail, check.Message);
        check.Message.Should().Contain("expected HTTP 400, got 200");
        check.Evidence!.Request.Should().Contain("chat/completions");
    }

    [Theory]
    [InlineData("vllm", Verdict.Divergence)]
    [InlineData("llamacpp", Verdict.Divergence)]
    [InlineData("acs", Verdict.Fail)]
    [InlineData("openai", Verdict.Fail)]
    public async Task RunAsync_LaxServer_CoercionAndIgnoredParametersAreTheProfilesDivergence(string profile, Verdict expected)
    {
        // Arrange: booleans read as numbers, integer logprobs read as booleans, unknown parameters ignored (spec-facts §9 Q1, Q2).
        var fake = new StrictChatOptions { Lax = true, IgnoreUnknown = true };

        // Act
        var report = await StrictChatServer.RunAsync(fake, profile, toolProbe: false, "chat.validation");

        // Assert
        var lax = report.Checks.Where(c => c.Id.StartsWith("chat.validation.boolean.", StringComparison.Ordinal)
            || c.Id is "chat.validation.unknown-parameter" or "chat.validation.logprobs.integer").ToList();
        lax.Should().HaveCount((2 * ChatValidationChecks.NumericParameters.Count) + 2);
        lax.Where(c => c.Verdict != Verdict.NotApplicable).Should().OnlyContain(c => c.Verdict == expected);
        var judgedBooleans = lax.Count(c => c.Id.StartsWith("chat.validation.boolean.", StringComparison.Ordinal) && c.Verdict != Verdict.NotApplicable);
        report.Observations["chat.validation.booleans_accepted"].Should().Be(judgedBooleans.ToString(System.Globalization.CultureInfo.InvariantCulture), "diff reads the accepted booleans as one fact");
        report.Checks.Except(lax).Should().OnlyContain(c => c.Verdict == Verdict.Pass, "the messages rules still hold on this server");
    }

    [Theory]
    [InlineData("acs", Verdict.Fail)]
    [InlineData("openai", Verdict.Pass)]
    public async Task RunAsync_ErrorWithoutParam_FailsOnlyWhereTheProfileRequiresParam(string profile, Verdict expected)
    {
        var fake = new StrictChatOptions { NoParam = true };

        var report = await StrictChatServer.RunAsync(fake, profile, toolProbe: false, "chat.validation.messages.unknown-role");

        var check = report.Checks.Single();
        check.Verdict.Should().Be(expected, check.Message);
        if (expected == Verdict.Fail)
        {
            check.Evidence!.Expected.Should().Be("error.param = \"messages[0].role\"");
        }
    }
}
