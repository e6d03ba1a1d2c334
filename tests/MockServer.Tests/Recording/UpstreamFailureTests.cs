using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// What record mode does when the upstream fails (issue 9): an upstream that cannot be reached, one that refuses the
/// request, one that breaks a stream off. Each is relayed as a structured answer (never a 500 of the mock's own),
/// recorded, and replayed the same.
/// </summary>
public sealed class UpstreamFailureTests : IDisposable
{
    private readonly string _dir = RecordingHarness.TempDirectory("mock-recording-failures-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task An_unreachable_upstream_is_a_structured_502_recorded_and_replayed()
    {
        var exchange = new Exchange("chat stream", HttpMethod.Post, "chat/completions", """{"model":"gpt-x","messages":[{"role":"user","content":"hi"}],"stream":true}""");
        Answer answer;
        await using (var recorder = await MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = ClosedPort(), RecordDirectory = _dir }))
        {
            using var client = Api.ClientFor(recorder);
            answer = await client.SendAsync(exchange);
        }

        answer.Status.Should().Be(502);
        answer.Text.ShouldConformTo(Schemas.Error);
        var error = JsonDocument.Parse(answer.Text).RootElement.GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("upstream_unreachable");
        error.GetProperty("message").GetString().Should().Contain("127.0.0.1");
        var recorded = JsonDocument.Parse(await File.ReadAllTextAsync(Directory.GetFiles(_dir, "*.json").Single())).RootElement.GetProperty("response");
        recorded.GetProperty("status").GetInt32().Should().Be(502);

        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none" });
        using var replayClient = Api.ClientFor(replayer);
        var replayed = await replayClient.SendAsync(exchange);
        replayed.Status.Should().Be(502);
        replayed.Body.Should().Equal(answer.Body);
    }

    [Fact]
    public async Task An_upstream_that_refuses_is_relayed_and_recorded_as_it_answered()
    {
        var upstreamOptions = new MockServerOptions();
        upstreamOptions.ApiKeys.Add("the-upstream-wants-this-key");
        await using var upstream = await MockLlmServer.StartAsync(upstreamOptions);
        var exchanges = new[]
        {
            new Exchange("no key upstream", HttpMethod.Post, "completions", """{"model":"llama-8b","prompt":"Hi","max_tokens":2}"""),
            new Exchange("models", HttpMethod.Get, "models", null),
        };
        using var direct = Api.ClientFor(upstream);
        await using var recorder = await MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = upstream.BaseUrl, RecordDirectory = _dir });
        using var client = Api.ClientFor(recorder);
        foreach (var exchange in exchanges)
        {
            var relayed = await client.SendAsync(exchange);
            var expected = await direct.SendAsync(exchange);

            relayed.Status.Should().Be(401, exchange.Name);
            relayed.Body.Should().Equal(expected.Body, exchange.Name);
            relayed.Text.ShouldConformTo(Schemas.Error);
        }

        // Each recording is on disk by the time its client has the answer.
        Directory.GetFiles(_dir, "*.json").Select(f => JsonDocument.Parse(File.ReadAllText(f)).RootElement.GetProperty("response").GetProperty("status").GetInt32())
            .Should().Equal(401, 401);
    }

    [Fact]
    public async Task A_stream_the_upstream_breaks_off_is_broken_off_for_the_client_and_in_replay()
    {
        var exchange = new Exchange("broken", HttpMethod.Post, "completions", """{"model":"base-x","prompt":"hi","stream":true}""");
        using (var upstream = new BreakingUpstream())
        await using (var recorder = await MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = upstream.BaseUrl, RecordDirectory = _dir }))
        {
            using var client = Api.ClientFor(recorder);
            var send = () => client.SendAsync(exchange);
            await send.Should().ThrowAsync<HttpRequestException>("the client sees the upstream's break, not a clean end");
        }

        var recorded = JsonDocument.Parse(await File.ReadAllTextAsync(Directory.GetFiles(_dir, "*.json").Single())).RootElement.GetProperty("response");
        recorded.GetProperty("reset").GetBoolean().Should().BeTrue();
        recorded.GetProperty("frames").EnumerateArray().Select(f => f.GetProperty("text").GetString())
            .Should().Equal(BreakingUpstream.Frame1, BreakingUpstream.Frame2);

        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none" });
        using var replayClient = Api.ClientFor(replayer);
        var replay = () => replayClient.SendAsync(exchange);
        await replay.Should().ThrowAsync<HttpRequestException>("replay breaks the stream off where the upstream did");
        (await replayer.Journal.WaitForAsync(1).WaitAsync(Timed.HangGuard)).Single().Frames.Should().Be(2, "both frames were sent before the break");
    }

    /// <summary>A loopback base URL nothing listens on (a port just released).</summary>
    private static Uri ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/v1");
    }
}
