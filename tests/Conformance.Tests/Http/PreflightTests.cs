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

    [Fact]
    public async Task PreflightAsync_ConnectionResetEveryTime_RetriesOnceAfterAPauseThenLetsTheChecksRun()
    {
        var connections = 0;
        await using var resetting = RawTcpServer.Start(async (stream, ct) =>
        {
            Interlocked.Increment(ref connections);
            _ = await stream.ReadAsync(new byte[1024], ct); // the request has arrived (its first bytes are enough)
            stream.Socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
            stream.Socket.Close(); // linger 0: a reset (RST), not an orderly close
        });
        var clock = new ObservedClock();
        var options = Suite.Options(new Uri($"http://127.0.0.1:{resetting.Port}/v1"));
        options.TimeProvider = clock;

        var preflight = ConformanceRunner.PreflightAsync(options);
        var pause = clock.TimerCreated(Preflight.RetryPause);
        await Task.WhenAny(pause, preflight).WaitAsync(Guard);
        pause.IsCompleted.Should().BeTrue("a reset is tried once more after a pause on the clock");
        var first = Volatile.Read(ref connections);
        clock.Fake.Advance(Preflight.RetryPause);

        (await preflight.WaitAsync(Guard)).Should().BeNull("a reset says nothing about whether the port speaks HTTP: the checks judge it");
        first.Should().BePositive();
        Volatile.Read(ref connections).Should().Be(2 * first, "the probe is sent once more after the pause, no more");
    }

    [Fact]
    public async Task PreflightAsync_ConnectThatNeverCompletes_SaysTheConnectionTimedOutOnceTheClockPassesTheTimeout()
    {
        using var listener = new FullBacklogListener();
        var url = $"http://127.0.0.1:{listener.Port}/v1";
        var clock = new ObservedClock();
        var options = Suite.Options(new Uri(url));
        options.TimeProvider = clock;
        options.RequestTimeout = TimeSpan.FromSeconds(3);

        var preflight = ConformanceRunner.PreflightAsync(options);
        await clock.TimerCreated(TimeSpan.FromSeconds(3)).WaitAsync(Guard);
        preflight.IsCompleted.Should().BeFalse("nothing fails a connect that is never answered until the clock says so");
        clock.Fake.Advance(TimeSpan.FromSeconds(3));

        (await preflight.WaitAsync(Guard)).Should().Be(
            $"cannot connect to {url}: the connection timed out after 3s; is the host reachable?",
            "a server that is starting still completes the handshake, so a connect that never does is a wrong target");
    }
}
