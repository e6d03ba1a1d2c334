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
    public async Task PreflightAsync_ConnectionResetEveryTime_RetriesOnceAfterAPauseThenSaysItWasResetTwice()
    {
        var connections = 0;
        await using var resetting = RawTcpServer.Start(async (stream, ct) =>
        {
            Interlocked.Increment(ref connections);
            await ResetAsync(stream, ct);
        });
        var clock = new ObservedClock();
        var url = $"http://127.0.0.1:{resetting.Port}/v1";
        var options = Suite.Options(new Uri(url));
        options.TimeProvider = clock;

        var preflight = ConformanceRunner.PreflightAsync(options);
        var pause = clock.TimerCreated(Preflight.RetryPause);
        await Task.WhenAny(pause, preflight).WaitAsync(Guard);
        pause.IsCompleted.Should().BeTrue("a reset is tried once more after a pause on the clock");
        var first = Volatile.Read(ref connections);
        clock.Fake.Advance(Preflight.RetryPause);

        (await preflight.WaitAsync(Guard)).Should().Be(
            $"{url} reset the connection twice; is this an https:// port, or is the server still starting? check the scheme, host and port in --base-url",
            "a port that resets every request (an https port given http://) must not run ~90 checks that all fail the same way");
        first.Should().BePositive();
        Volatile.Read(ref connections).Should().Be(2 * first, "the probe is sent once more after the pause, no more");
    }

    [Fact]
    public async Task PreflightAsync_ConnectionResetOnceThenAnswered_LetsTheChecksRun()
    {
        var connections = 0;
        await using var starting = RawTcpServer.Start(async (stream, ct) =>
        {
            if (Interlocked.Increment(ref connections) == 1)
            {
                await ResetAsync(stream, ct);
                return;
            }

            _ = await stream.ReadAsync(new byte[4096], ct);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 29\r\nConnection: close\r\n\r\n{\"object\":\"list\",\"data\":[]}"u8.ToArray(), ct);
        });
        var clock = new ObservedClock();
        var options = Suite.Options(new Uri($"http://127.0.0.1:{starting.Port}/v1"));
        options.TimeProvider = clock;

        var preflight = ConformanceRunner.PreflightAsync(options);
        var pause = clock.TimerCreated(Preflight.RetryPause);
        await Task.WhenAny(pause, preflight).WaitAsync(Guard);
        pause.IsCompleted.Should().BeTrue("a reset is tried once more after a pause on the clock");
        clock.Fake.Advance(Preflight.RetryPause);

        (await preflight.WaitAsync(Guard)).Should().BeNull("one reset followed by an answer is a server that was still starting");
        Volatile.Read(ref connections).Should().Be(2);
    }

    /// <summary>Waits for the request's first bytes, then closes with linger 0: a reset (RST), not an orderly close.</summary>
    private static async Task ResetAsync(System.Net.Sockets.NetworkStream stream, CancellationToken ct)
    {
        _ = await stream.ReadAsync(new byte[1024], ct);
        stream.Socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
        stream.Socket.Close();
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
