using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

public sealed class ConformantServerTests
{
    [Fact]
    public async Task RunAsync_ConformantFake_PassesEveryCheck_AndRecordsObservations()
    {
        var report = await Suite.RunAsync(new FakeServerOptions());

        // errors.retry-after binds only on a 429/503, which a healthy server never sends: not applicable, and it says why;
        // so do the other checks of behaviours the suite only observes (Suite.ObservedOnly).
        // The acs fake serves completions only: the chat checks are not applicable, and say why.
        report.Checks.Where(c => !Suite.ObservedOnly.Contains(c.Id) && c.Category != "chat").Should().OnlyContain(c => c.Verdict == Verdict.Pass);
        report.Checks.Where(c => Suite.ObservedOnly.Contains(c.Id)).Should().HaveCount(3).And.OnlyContain(c => c.Verdict == Verdict.NotApplicable);
        report.Checks.Where(c => c.Category == "chat").Should().NotBeEmpty().And.OnlyContain(c => c.Verdict == Verdict.NotApplicable);
        report.Checks.Single(c => c.Id == "errors.retry-after").Should().Match<CheckReport>(c => c.Verdict == Verdict.NotApplicable && c.Message.Contains("no 429/503", StringComparison.Ordinal));
        report.Observations.Should().Contain(new KeyValuePair<string, string>("stream.usage_chunk_present", "true"));
        report.Observations.Should().Contain(new KeyValuePair<string, string>("validation.booleans_accepted", "0"));
        report.Observations.Should().ContainKey("completion.prompt_tokens");
    }

    [Theory]
    [InlineData("\r\n", 0, false)]
    [InlineData("\r", 0, true)]
    [InlineData("\n", 1, true)]
    [InlineData("\r\n", 3, true)]
    public async Task RunAsync_StreamFramingVariants_StillPassStreamChecks(string newLine, int writeSize, bool comments)
    {
        // Line terminators, comments and chunk boundaries anywhere (even between CR and LF) are all legal (spec-facts §8).
        var fake = new FakeServerOptions { NewLine = newLine, WriteSize = writeSize, Comments = comments };

        var report = await Suite.RunAsync(fake, null, "stream", "logprobs.stream-per-chunk", "consistency.stream-equals-non-stream");

        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => $"{c.Id}: {c.Message}").Should().BeEmpty();
    }

    [Fact]
    public async Task RunAsync_DoneWithoutBlankLine_IsAWarningNotATruncation()
    {
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.StreamDoneWithoutBlankLine);

        var report = await Suite.RunAsync(fake, null, "stream.done", "stream.not-truncated");

        report.Checks.Single(c => c.Id == "stream.done.blank-line").Verdict.Should().Be(Verdict.Warn);
        report.Checks.Single(c => c.Id == "stream.not-truncated").Verdict.Should().Be(Verdict.Pass);
        report.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task RunAsync_NoKeyConfigured_MarksAuthChecksNotApplicable()
    {
        var report = await Suite.RunAsync(new FakeServerOptions { ApiKey = null }, o => o.ApiKey = null, "auth");

        report.Checks.Should().OnlyContain(c => c.Verdict == Verdict.NotApplicable);
        report.Succeeded.Should().BeTrue();
    }
}
