using Conformance.Tests.Http;
using MockServer.Fixtures;
using MockServer.Hosting;

namespace Conformance.Tests.Checks;

/// <summary>
/// Issue 8: a 503 while a model boots, as the real MockServer answers it for a model declared cold, is judged by
/// <c>errors.retry-after</c> and waited out within the suite's bound, on the run's clock, never provoked on purpose.
/// </summary>
public sealed class MockColdStartTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    private const string ColdModel = """{"models": [{"id": "cold-base", "root": "meta-llama/Llama-3.1-8B", "cold": {"boot_seconds": 30, "idle_seconds": 600}}]}""";

    [Fact]
    public async Task A_booting_model_is_waited_out_by_its_Retry_After_and_the_503_is_judged_usable()
    {
        // One clock for both sides: the mock boots on it and the suite waits on it, so only the test moves time.
        var clock = new ObservedClock();
        var mock = new MockServerOptions { ApiKeys = { Suite.Key }, TimeProvider = clock };
        mock.Fixtures.Add(new FixtureDocument("cold-models.json", ColdModel));
        await using var server = await MockLlmServer.StartAsync(mock);
        var options = Suite.Options(server.BaseUrl, "completion.shape", "errors.retry-after");
        options.Model = "cold-base";
        options.TimeProvider = clock;
        options.MaxRetryWait = TimeSpan.FromMinutes(1);
        options.RunTimeout = TimeSpan.FromHours(1);

        var run = ConformanceRunner.RunAsync(options);
        await clock.TimerCreated(TimeSpan.FromSeconds(30)).WaitAsync(Guard); // the suite waits the 503's Retry-After: 30
        run.IsCompleted.Should().BeFalse();
        clock.Fake.Advance(TimeSpan.FromSeconds(30));
        var report = await run.WaitAsync(Guard);

        report.Checks.Should().OnlyContain(c => c.Verdict == Verdict.Pass, string.Join("; ", report.Checks.Select(c => $"{c.Id}: {c.Message}")));
        report.Checks.Single(c => c.Id == "errors.retry-after").Message.Should().Be("1 429/503 answers, each with Retry-After");
        report.Usage.Retries.Should().Be(1);
        report.Usage.RetryWaitMs.Should().Be(30_000);
    }
}
