using System.Text;
using System.Text.Json.Nodes;
using Conformance.Cli;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;
using MockServer.Hosting;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Cli;

/// <summary>A wrong target stops the CLI before any check with one line that says what is wrong and what to try, and exit 2.</summary>
public sealed class PreflightCliTests
{
    private static readonly string[] Checks = ["--only", "models,completion", "--timeout", "10"];

    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    /// <summary>Runs the CLI and asserts the preflight stopped it: exit 2, one line on stderr, no check run.</summary>
    private static async Task<string> StoppedAsync(string baseUrl, params string[] more)
    {
        var (code, output, error) = await RunAsync(["--base-url", baseUrl, .. Checks, .. more]);

        code.Should().Be(CliApp.UsageError, error + output);
        output.Should().BeEmpty("the preflight stops the CLI before the first check");
        error.TrimEnd('\n').Should().NotContain("\n", "the problem is one line").And.StartWith("error: ");
        return error.TrimEnd('\n');
    }

    private static Task<TinyServer> StatusServerAsync(Func<HttpContext, int> status) => TinyServer.StartAsync(ctx =>
    {
        ctx.Response.StatusCode = status(ctx);
        return Task.CompletedTask;
    });

    private static string Origin(Uri url) => url.GetLeftPart(UriPartial.Authority);

    [Fact]
    public async Task Run_NothingListening_SaysItCannotConnect()
    {
        var url = $"http://127.0.0.1:{Ports.Closed()}/v1";

        var error = await StoppedAsync(url);

        error.Should().Be($"error: cannot connect to {url}: connection refused; is the server running?");
    }

    [Fact]
    public async Task Run_PortSendingSomethingElse_SaysItDoesNotSpeakHttp()
    {
        await using var ssh = RawTcpServer.Start(async (stream, ct) => await stream.WriteAsync("SSH-2.0-OpenSSH_9.6\r\n"u8.ToArray(), ct));

        var error = await StoppedAsync($"http://127.0.0.1:{ssh.Port}/v1");

        error.Should().Contain($"http://127.0.0.1:{ssh.Port}/v1 does not speak HTTP").And.Contain("not an HTTP response");
    }

    [Fact]
    public async Task Run_PortClosingEveryConnection_RetriesOnceAfterAPauseThenNamesBothPossibleCauses()
    {
        var connections = 0;
        await using var closing = RawTcpServer.Start((_, _) =>
        {
            Interlocked.Increment(ref connections);
            return Task.CompletedTask;
        });
        var url = $"http://127.0.0.1:{closing.Port}/v1";
        var clock = new ObservedClock();

        var run = RunAsync(["--base-url", url, .. Checks], clock: clock);
        await PausesAsync(clock, run);
        var first = Volatile.Read(ref connections); // .NET's handler itself tries a closed fresh connection a few times at once
        clock.Fake.Advance(Preflight.RetryPause);
        var (code, output, error) = await run.WaitAsync(Guard);

        code.Should().Be(CliApp.UsageError, error + output);
        output.Should().BeEmpty();
        error.Should().Be($"error: {url} closed the connection twice without an answer; is the server still starting, or is this not an HTTP port? check the host and port in --base-url\n");
        first.Should().BePositive();
        Volatile.Read(ref connections).Should().Be(2 * first, "the probe is sent once more after the pause, no more");
    }

    [Fact]
    public async Task Run_PortForwardWhoseBackendIsStillStarting_RetriesAndRunsTheChecks()
    {
        await using var backend = await Fakes.FakeAcsServer.StartAsync();
        await using var forward = StartingPortForward.Start(backend.BaseUrl);
        var clock = new ObservedClock();

        var run = RunAsync(["--base-url", forward.BaseUrl.ToString(), "--api-key", Suite.Key, "--only", "models", "--timeout", "10"], clock: clock);
        await PausesAsync(clock, run);
        forward.Ready = true; // the backend finishes starting during the pause
        clock.Fake.Advance(Preflight.RetryPause);
        var (code, output, error) = await run.WaitAsync(Guard);

        code.Should().Be(CliApp.Passed, "the connections were closed while the backend started; the retry reached a conforming server: " + error + output);
        error.Should().BeEmpty();
        output.Should().Contain("models.list-shape");
    }

    /// <summary>Waits until the preflight pauses on the clock before its retry; fails if the run ends first.</summary>
    private static async Task PausesAsync(ObservedClock clock, Task run)
    {
        var pause = clock.TimerCreated(Preflight.RetryPause);
        await Task.WhenAny(pause, run).WaitAsync(Guard);
        pause.IsCompleted.Should().BeTrue("the preflight pauses on the clock before it tries a closed connection again");
    }

    [Fact]
    public async Task Run_HttpsToAPlainHttpPort_SaysTheHandshakeFailed()
    {
        await using var server = await StatusServerAsync(_ => 200);
        var url = "https://" + server.BaseUrl.Authority + "/v1";

        var error = await StoppedAsync(url);

        error.Should().Be($"error: cannot connect to {url}: the TLS handshake failed; does the server speak https, or did you mean http://?");
    }

    [Fact]
    public async Task Run_BaseWithoutV1_SuggestsTheV1Url()
    {
        await using var server = await StatusServerAsync(ctx => ctx.Request.Path.StartsWithSegments("/v1") ? 200 : 404);
        var origin = Origin(server.BaseUrl);

        var error = await StoppedAsync(origin);

        error.Should().Be($"error: {origin} answers 404 on /models and /completions; did you mean {origin}/v1?");
    }

    [Fact]
    public async Task Run_BaseWithoutV1WhereV1IsMissingToo_SuggestsNoUrl()
    {
        await using var server = await StatusServerAsync(_ => 404);
        var origin = Origin(server.BaseUrl);

        var error = await StoppedAsync(origin);

        error.Should().Contain($"{origin} answers 404 on /models and /completions").And.NotContain("did you mean").And.Contain("check the path");
    }

    [Fact]
    public async Task Run_BaseWithV1Answering404Everywhere_SaysSoWithoutSuggestingV1Again()
    {
        await using var server = await StatusServerAsync(_ => 404);

        var error = await StoppedAsync(server.BaseUrl.ToString());

        error.Should().Contain("answers 404 on /models and /completions").And.NotContain("did you mean").And.NotContain("/v1/v1");
    }

    [Theory]
    [InlineData("\"param\":null,\"code\":\"model_not_found\"")]
    [InlineData("\"param\":\"model\",\"code\":null")]
    public async Task Run_NoModelListAndCompletionsRefusesTheModelLessProbeWith404AboutTheModel_RunsTheChecks(string about)
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = 404;
            if (ctx.Request.Path.Value!.EndsWith("/completions", StringComparison.Ordinal))
            {
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync("{\"error\":{\"message\":\"The model '' does not exist\",\"type\":\"invalid_request_error\"," + about + "}}");
            }
        });

        var (code, output, error) = await RunAsync(["--base-url", server.BaseUrl.ToString(), "--only", "models", "--timeout", "10"]);

        code.Should().Be(CliApp.Failed, "a 404 about the model comes from a /completions route that exists, so the checks run: " + error);
        output.Should().Contain("models.list-shape");
    }

    [Fact]
    public async Task Run_404EnvelopeWithCodeUnknownUrl_StillSaysTheRouteIsMissingWithoutEchoingTheBody()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = 404;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"Unknown request URL: body-marker\",\"type\":\"invalid_request_error\",\"param\":\"model\",\"code\":\"unknown_url\"}}");
        });

        var error = await StoppedAsync(server.BaseUrl.ToString());

        error.Should().Contain("answers 404 on /models and /completions").And.Contain("check the path").And.NotContain("body-marker");
    }

    [Fact]
    public async Task Run_404WithAnEndlessBody_ReadsOnlyItsCapAndSaysTheRouteIsMissing()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = 404;
            var spaces = new byte[4096];
            Array.Fill(spaces, (byte)' ');
            while (!ctx.RequestAborted.IsCancellationRequested)
            {
                await ctx.Response.Body.WriteAsync(spaces, ctx.RequestAborted);
            }
        });

        var error = await StoppedAsync(server.BaseUrl.ToString());

        error.Should().Contain("answers 404 on /models and /completions", "the preflight reads at most 16 KiB of a 404, which does not parse as an envelope");
    }

    [Fact]
    public async Task Run_MockServerBaseWithoutV1_SuggestsTheV1Url()
    {
        await using var mock = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var origin = Origin(mock.BaseUrl);

        var error = await StoppedAsync(origin, "--api-key", Suite.Key);

        error.Should().Be($"error: {origin} answers 404 on /models and /completions; did you mean {origin}/v1?", "the mock answers unknown routes 404 unknown_url, a missing route");
    }

    [Fact]
    public async Task Run_KeyRequiredAndNoneGiven_SaysHowToPassOne()
    {
        await using var server = await StatusServerAsync(_ => 401);

        var error = await StoppedAsync(server.BaseUrl.ToString());

        error.Should().Be("error: the endpoint requires a key (HTTP 401 on /models and /completions): pass --api-key or set OPENAI_API_KEY");
    }

    [Fact]
    public async Task Run_KeyRefusedEverywhere_SaysTheKeyWasRefusedWithoutPrintingIt()
    {
        const string key = "sk-preflight-secret-0123456789";
        await using var server = await StatusServerAsync(_ => 403);

        var error = await StoppedAsync(server.BaseUrl.ToString(), "--api-key", key);

        error.Should().Be("error: the endpoint refused the key (HTTP 403 on /models and /completions); check --api-key or OPENAI_API_KEY");
        server.Authorizations.Should().Contain("Bearer " + key, "the preflight sends the key it was given");
    }

    [Fact]
    public async Task Run_NoModelListButACompletionsRoute_RunsTheChecksAndTheProbeCannotGenerateMoreThanOneToken()
    {
        var bodies = new List<string>();
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            if (ctx.Request.Path.Value!.EndsWith("/models", StringComparison.Ordinal))
            {
                ctx.Response.StatusCode = 404;
                return;
            }

            using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
            var body = await reader.ReadToEndAsync();
            lock (bodies)
            {
                bodies.Add(body);
            }

            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        });

        var (code, output, error) = await RunAsync(["--base-url", server.BaseUrl.ToString(), "--only", "models", "--timeout", "10"]);

        code.Should().Be(CliApp.Failed, "the checks ran and the model list is missing: " + error);
        output.Should().Contain("models.list-shape");
        var probe = JsonNode.Parse(bodies.Should().ContainSingle().Subject)!.AsObject();
        probe["max_tokens"]!.GetValue<int>().Should().Be(1, "a lenient server that generates on anything stops after one token");
        probe.ContainsKey("prompt").Should().BeFalse("without a prompt a strict server refuses it without generating");
    }

    [Fact]
    public async Task Run_HostWhoseTcpHandshakeNeverCompletes_StopsOnceTheConnectTimesOutOnTheClock()
    {
        using var listener = new FullBacklogListener();
        var url = $"http://127.0.0.1:{listener.Port}/v1";
        var clock = new ObservedClock();

        var run = RunAsync(["--base-url", url, .. Checks], clock: clock);
        await Task.WhenAny(clock.TimerCreated(Preflight.MaxTimeout), run).WaitAsync(Guard);
        clock.Fake.Advance(Preflight.MaxTimeout);
        var (code, output, error) = await run.WaitAsync(Guard);

        code.Should().Be(CliApp.UsageError, error + output);
        output.Should().BeEmpty("no check runs against a host that cannot be reached");
        error.Should().Be($"error: cannot connect to {url}: the connection timed out after 5s; is the host reachable?\n");
    }

    [Fact]
    public async Task Run_HttpToATlsPort_StopsAfterTheSecondResetAndSuggestsHttps()
    {
        var connections = 0;
        await using var tls = TlsPort.Start(() => Interlocked.Increment(ref connections));
        var url = $"http://127.0.0.1:{tls.Port}/v1";
        var clock = new ObservedClock();

        var run = RunAsync(["--base-url", url, .. Checks], clock: clock);
        await PausesAsync(clock, run);
        clock.Fake.Advance(Preflight.RetryPause);
        var (code, output, error) = await run.WaitAsync(Guard);

        code.Should().Be(CliApp.UsageError, error + output);
        output.Should().BeEmpty("no check runs against a port that resets every plain-HTTP request");
        error.Should().Be($"error: {url} reset the connection twice; is this an https:// port, or is the server still starting? check the scheme, host and port in --base-url\n");
        Volatile.Read(ref connections).Should().Be(2, "the probe is sent once more after the pause, no more");
    }

    [Fact]
    public async Task Run_GoStyle400ForPlainHttpOnAnHttpsPort_SaysItIsAnHttpsPortWithoutPrintingTheBody()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            // What Go's net/http (and so Caddy) answers a plain-HTTP request on a TLS port.
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "text/plain; charset=utf-8";
            await ctx.Response.WriteAsync("Client sent an HTTP request to an HTTPS server.\n");
        });
        var url = server.BaseUrl.GetLeftPart(UriPartial.Authority) + "/v1";

        var error = await StoppedAsync(url);

        error.Should().Be($"error: {url} is an https:// port: did you mean {url.Replace("http://", "https://", StringComparison.Ordinal)}?");
    }

    [Fact]
    public async Task Run_NoModelListAndCompletionsAnswering404OnlyWithoutAModel_SendsTheConfiguredModelAndRunsTheChecks()
    {
        string? probeModel = null;
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            if (!ctx.Request.Path.Value!.EndsWith("/completions", StringComparison.Ordinal))
            {
                ctx.Response.StatusCode = 404;
                return;
            }

            // A FastAPI-style server: its 404 for a missing model is not an OpenAI envelope, so it reads like a missing route.
            var body = JsonNode.Parse(await new StreamReader(ctx.Request.Body).ReadToEndAsync())?.AsObject();
            var model = body?["model"]?.GetValue<string>();
            probeModel ??= model ?? "";
            ctx.Response.StatusCode = string.IsNullOrEmpty(model) ? 404 : 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(string.IsNullOrEmpty(model) ? "{\"detail\":\"Not Found\"}" : "{\"detail\":\"prompt is required\"}");
        });

        var (code, output, error) = await RunAsync(["--base-url", server.BaseUrl.ToString(), "--only", "models", "--timeout", "10", "--model", "tiny-1b"]);

        code.Should().Be(CliApp.Failed, "the /completions route exists: the checks run and judge the missing /models: " + error);
        output.Should().Contain("models.list-shape");
        probeModel.Should().Be("tiny-1b", "the probe names the configured model, so only a missing route answers 404");
    }
}
