using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task RunAsync_ChecksSharingOneExchange_NeverSeeAHalfParsedBody()
    {
        // The two models checks read one shared exchange in parallel; a lazily shared JSON tree once made one of them see "not JSON".
        await using var server = await FakeAcsServer.StartAsync();
        var options = Suite.Options(server.BaseUrl, "models", "completion", "logprobs");

        for (var run = 0; run < 40; run++)
        {
            var report = await ConformanceRunner.RunAsync(options);
            report.Checks.Where(c => c.Verdict != Verdict.Pass).Select(c => $"run {run}: {c.Id}: {c.Message}").Should().BeEmpty();
        }
    }

    [Fact]
    public async Task RunAsync_MaxConcurrencyTwo_SendsTwoAtOnce_AndNeverMore()
    {
        // The fake holds the first two requests until both are in flight: the overlap is certain, not a matter of latency.
        await using var server = await FakeAcsServer.StartAsync(new FakeServerOptions { OverlapFirst = 2 });
        var options = Suite.Options(server.BaseUrl, "validation");
        options.MaxConcurrency = 2;

        var report = await ConformanceRunner.RunAsync(options);

        report.Succeeded.Should().BeTrue();
        server.CompletionRequests.Should().BeGreaterThan(40);
        server.MaxConcurrentRequests.Should().Be(2);
    }
}
