namespace Conformance.Tests.Http;

/// <summary>The preflight in process: what it lets through. The problems it reports are tested through the CLI (PreflightCliTests).</summary>
public sealed class PreflightTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData(600, 5)]
    [InlineData(2, 2)]
    public async Task PreflightAsync_TargetThatDoesNotAnswer_WaitsItsShortTimeoutOnTheClockThenLetsTheChecksRun(int requestTimeout, int waited)
    {
        var clock = new ObservedClock();
        await using var server = await HangServer.StartAsync();
        var options = Suite.Options(server.BaseUrl);
        options.TimeProvider = clock;
        options.RequestTimeout = TimeSpan.FromSeconds(requestTimeout);

        var preflight = ConformanceRunner.PreflightAsync(options);
        await server.FirstArrival.WaitAsync(Guard);
        await clock.TimerCreated(TimeSpan.FromSeconds(waited)).WaitAsync(Guard);
        clock.Fake.Advance(TimeSpan.FromSeconds(waited));

        (await preflight.WaitAsync(Guard)).Should().BeNull("a server that is slow to answer may be starting: the checks and their timeouts judge it");
        server.Aborts.Should().ContainSingle("one unanswered probe is enough to stop probing");
        await Task.WhenAll(server.Aborts).WaitAsync(Guard);
    }

    [Fact]
    public async Task PreflightAsync_ConformingServer_FindsNoProblem()
    {
        await using var server = await Fakes.FakeAcsServer.StartAsync();

        (await ConformanceRunner.PreflightAsync(Suite.Options(server.BaseUrl))).Should().BeNull();
        server.CompletionRequests.Should().Be(0, "a server whose model list answers is not sent a completion");
    }
}
