using Conformance;
using MockServer.Hosting;

namespace MockServer.WireMock.Tests;

/// <summary>
/// The conformance suite, in process, passes against the mock served by WireMock: whatever WireMock's host adds or
/// buffers would show here (framing, headers, error bodies, streams cut short).
/// </summary>
public sealed class ConformanceTests
{
    private const string Key = "test-key";

    [Fact]
    public async Task The_suite_finds_no_failure_in_completions_through_WireMock()
    {
        await using var env = await WireMockWithMock.StartAsync(new MockServerOptions { ApiKeys = { Key } });
        var options = Options(env.Mock.BaseUrl, "llama-8b", "acs");

        var report = await ConformanceRunner.RunAsync(options);

        // Every check of the acs profile passes or does not apply (e.g. those that judge only a 429 the server never sends).
        report.Checks.Where(c => c.Verdict is not (Verdict.Pass or Verdict.NotApplicable)).Select(Describe).Should().BeEmpty();
        report.Checks.Where(c => c.Id.StartsWith("completion", StringComparison.Ordinal) && c.Verdict == Verdict.Pass).Should().NotBeEmpty();
        report.Succeeded.Should().BeTrue();
    }

    [Fact]
    public async Task The_suite_finds_no_failure_in_chat_through_WireMock()
    {
        await using var env = await WireMockWithMock.StartAsync(new MockServerOptions { ApiKeys = { Key } });
        var options = Options(env.Mock.BaseUrl, "llama-8b-instruct", "openai");
        options.Only.Add("chat");
        options.ToolProbe = true;

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Should().NotBeEmpty().And.OnlyContain(c => c.Id.StartsWith("chat.", StringComparison.Ordinal));
        report.Checks.Where(c => c.Verdict is Verdict.Fail or Verdict.Skipped).Select(Describe).Should().BeEmpty();
        report.Checks.Count(c => c.Verdict == Verdict.Pass).Should().BeGreaterThan(report.Checks.Count / 2);
        report.Succeeded.Should().BeTrue();
    }

    private static ConformanceOptions Options(Uri baseUrl, string model, string profile) => new()
    {
        BaseUrl = baseUrl,
        ApiKey = Key,
        Model = model,
        Profile = profile,
        // The bounds tests/Conformance.Tests uses: generous for a loaded 2-core machine, never reached by a healthy server.
        RequestTimeout = TimeSpan.FromSeconds(10),
        RunTimeout = TimeSpan.FromSeconds(40),
        DefaultRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryWait = TimeSpan.FromSeconds(2),
        MaxConcurrency = 8,
    };

    private static string Describe(CheckReport c) =>
        $"{c.Id}: {c.Verdict} {c.Message} | expected {c.Evidence?.Expected} | seen {c.Evidence?.Seen} | {c.Evidence?.Excerpt}";
}
