using Conformance.Http;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Http;

/// <summary>A broken or hostile endpoint is reported, never crashed on, and never holds the run beyond its bounds.</summary>
public sealed class HostileEndpointTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    private static readonly string[] Subset = ["stream.not-truncated", "completion.shape", "models.list-shape", "validation.unknown-parameter"];

    private static async Task<ConformanceReport> RunHostileAsync(Hostility hostility)
    {
        return await Suite.RunAsync(
            new FakeServerOptions { Hostility = hostility },
            o =>
            {
                // These hostilities answer at once and are cut by the caps; hangs have their own tests on a fake clock.
                o.RequestTimeout = TimeSpan.FromSeconds(5);
                o.RunTimeout = TimeSpan.FromSeconds(8);
                o.MaxBodyBytes = 256 * 1024;
                o.MaxStreamEvents = 200;
            },
            Subset);
    }

    [Theory]
    [InlineData(Hostility.Reset, "connection failed")]
    [InlineData(Hostility.EndlessStream, "cap")]
    [InlineData(Hostility.HugeBody, "byte cap")]
    [InlineData(Hostility.Garbage, "the body is not a JSON object")]
    public async Task RunAsync_HostileEndpoint_ReportsFailuresWithinBounds(Hostility hostility, string transportMessage)
    {
        var report = await RunHostileAsync(hostility);

        report.Checks.Should().HaveCount(Subset.Length);
        report.Checks.Should().OnlyContain(c => c.Verdict == Verdict.Fail && c.Evidence != null);
        report.Succeeded.Should().BeFalse();
        report.Checks.Select(c => c.Message).Should().Contain(m => m.Contains(transportMessage, StringComparison.Ordinal));
    }

    [Fact]
    public async Task RunAsync_GarbageStream_ReportsTruncationWithExcerpt()
    {
        var report = await RunHostileAsync(Hostility.Garbage);

        var truncation = report.Checks.Single(c => c.Id == "stream.not-truncated");
        truncation.Message.Should().Contain("without [DONE] (truncated)");
        truncation.Evidence!.Excerpt.Should().Contain("unterminated tail");
    }

    [Fact]
    public async Task RunAsync_HangingEndpoint_TimesOutWhenTheClockPassesTheRequestTimeoutAndAbortsTheRequest()
    {
        var clock = new ObservedClock();
        await using var server = await HangServer.StartAsync();
        var options = Suite.Options(server.BaseUrl, "models.list-shape");
        options.TimeProvider = clock;

        // Far longer than the test may take: only the run's clock can make it pass.
        options.RequestTimeout = TimeSpan.FromMinutes(10);
        options.RunTimeout = TimeSpan.FromHours(1);

        var run = ConformanceRunner.RunAsync(options);
        await server.FirstArrival.WaitAsync(Guard);
        run.IsCompleted.Should().BeFalse("nothing answered and the clock has not moved");
        clock.Fake.Advance(options.RequestTimeout);
        var report = await run.WaitAsync(Guard);

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Contain("did not answer in time");
        check.Evidence!.Excerpt.Should().Contain("no complete response within 600s");
        report.DurationMs.Should().Be(600_000, "the run ended when the request timeout passed on the run's clock");
        await Task.WhenAll(server.Aborts).WaitAsync(Guard);
        server.Aborts.Should().ContainSingle("the timed-out request was aborted, not left open, and not retried");
    }

    [Fact]
    public async Task RunAsync_RunTimeoutElapses_RemainingChecksFailAsNotEvaluated()
    {
        var clock = new ObservedClock();
        await using var server = await HangServer.StartAsync();
        var options = Suite.Options(server.BaseUrl, "models", "errors.envelope");
        options.TimeProvider = clock;
        options.RequestTimeout = TimeSpan.FromHours(1);
        options.RunTimeout = TimeSpan.FromMinutes(10);

        var run = ConformanceRunner.RunAsync(options);
        await server.FirstArrival.WaitAsync(Guard);
        clock.Fake.Advance(options.RunTimeout);
        var report = await run.WaitAsync(Guard);

        report.Checks.Should().HaveCount(3).And.OnlyContain(c => c.Verdict == Verdict.Fail && c.Message.Contains("run timeout", StringComparison.Ordinal));
        report.DurationMs.Should().Be(600_000, "the run ended when the run timeout passed on the run's clock, before any request timeout");
        await Task.WhenAll(server.Aborts).WaitAsync(Guard);
    }

    [Fact]
    public async Task SendAsync_BudgetTooSmall_SendsNothingAndSkips()
    {
        await using var server = await FakeAcsServer.StartAsync();
        var options = Suite.Options(server.BaseUrl, "completion", "stream");
        options.TokenBudget = 60;

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Should().Contain(c => c.Verdict == Verdict.Skipped && c.Message.Contains("token budget", StringComparison.Ordinal));
        report.Usage.TokensSpent.Should().BeLessThanOrEqualTo(60);
        report.Succeeded.Should().BeFalse("a check the budget stopped is not a pass");
        server.CompletionRequests.Should().Be(0, "every generating request reserves more than 60 tokens up front");
    }

    [Fact]
    public async Task RunAsync_MaxConcurrency_BoundsRequestsInFlight()
    {
        await using var server = await FakeAcsServer.StartAsync();
        var options = Suite.Options(server.BaseUrl, "validation");
        options.MaxConcurrency = 2;

        var report = await ConformanceRunner.RunAsync(options);

        report.Succeeded.Should().BeTrue();
        server.CompletionRequests.Should().BeGreaterThan(40);
        server.MaxConcurrentRequests.Should().BeInRange(1, 2);
    }

    [Fact]
    public void ParseRetryAfter_AcceptsSecondsAndDates_RejectsJunk()
    {
        var time = new FixedTime(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = Suite.Options(new Uri("http://127.0.0.1:1/v1"));
        options.TimeProvider = time;
        using var client = new EndpointClient(options, new TokenBudget(10), new Redactor(null));

        client.ParseRetryAfter("2").Should().Be((true, TimeSpan.FromSeconds(2)));
        client.ParseRetryAfter("0.5").Should().Be((true, TimeSpan.FromMilliseconds(500)));
        client.ParseRetryAfter("Thu, 01 Jan 2026 00:00:03 GMT").Should().Be((true, TimeSpan.FromSeconds(3)));
        client.ParseRetryAfter("soon").Valid.Should().BeFalse();
        client.ParseRetryAfter(null).Valid.Should().BeFalse();
        client.ParseRetryAfter("-1").Valid.Should().BeFalse();
    }

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
