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
}
