using MockServer.Budgets;
using MockServer.Hosting;

namespace Conformance.Tests.Checks;

/// <summary>
/// Issue 8: the x-ratelimit-* headers the real MockServer sends for a key with per-minute limits are judged well formed
/// by the suite, which shares no code with the mock: the mock's format and the suite's reading of spec-facts §6.4 agree.
/// </summary>
public sealed class MockRateLimitTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task The_mocks_rate_limit_headers_are_judged_well_formed()
    {
        var mock = new MockServerOptions();
        mock.Keys.Add(new ApiKeyEntry(Suite.Key) { Name = "suite", Limits = new KeyLimits(RequestsPerMinute: 10_000, TokensPerMinute: 10_000_000) });
        await using var server = await MockLlmServer.StartAsync(mock);
        var options = Suite.Options(server.BaseUrl, "completion.shape", "limits.ratelimit-headers");
        options.Model = "llama-8b";

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        var check = report.Checks.Single(c => c.Id == "limits.ratelimit-headers");
        check.Verdict.Should().Be(Verdict.Pass, check.Message);
        check.Message.Should().EndWith("with x-ratelimit-* headers, all well formed");
    }
}
