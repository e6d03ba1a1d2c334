using Conformance.Tests.Fakes;

namespace Conformance.Tests.Http;

/// <summary>Cold starts (503 + Retry-After) are waited out within a bound, reported, and never turned into failures.</summary>
public sealed class RetryTests
{
    [Fact]
    public async Task RunAsync_ColdStartWithRetryAfter_WaitsReportsAndPasses()
    {
        await using var server = await FakeAcsServer.StartAsync(new FakeServerOptions { ColdStartFailures = 1, RetryAfter = "1" });
        var options = Suite.Options(server.BaseUrl, "completion.shape", "errors");

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => c.Id + ": " + c.Message).Should().BeEmpty();
        report.Usage.Retries.Should().Be(1);
        report.Usage.RetryWaitMs.Should().BeGreaterThanOrEqualTo(1_000);
        report.Observations["transport.retries"].Should().Be("1");
        report.Usage.Requests.Should().Be(server.CompletionRequests, "every attempt, the retried one included, is counted");
    }

    [Fact]
    public async Task RunAsync_RetryAfterBeyondBound_IsNotWaitedAndFailsWithTheReason()
    {
        var report = await Suite.RunAsync(new FakeServerOptions { ColdStartFailures = 100, RetryAfter = "120" }, null, "completion.shape", "errors.no-5xx");

        report.DurationMs.Should().BeLessThan(5_000);
        var shape = report.Checks.Single(c => c.Id == "completion.shape");
        shape.Verdict.Should().Be(Verdict.Fail);
        shape.Evidence!.Excerpt.Should().Contain("HTTP 503").And.Contain("Retry-After 120s exceeds the bound of 2s; not retried");
        report.Checks.Single(c => c.Id == "errors.no-5xx").Verdict.Should().Be(Verdict.Fail, "a 503 that outlasts the retry bound is a final 5xx");
        report.Usage.Retries.Should().Be(0);
    }

    [Fact]
    public async Task RunAsync_ColdStartLongerThanRetries_GivesUpAfterTheBound()
    {
        var fake = new FakeServerOptions { ColdStartFailures = 100, RetryAfter = "0" };

        var report = await Suite.RunAsync(fake, o => o.MaxRetries = 2, "completion.shape");

        report.Checks.Single().Verdict.Should().Be(Verdict.Fail);
        report.Usage.Retries.Should().Be(2);
    }
}
