using System.Collections.Concurrent;
using Conformance.Tests.Cli;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Http;

/// <summary>
/// <c>--header</c> and <c>--stream-header</c> (issue 8): extra headers reach the endpoint on the requests they are for,
/// are refused up front when they cannot be sent or would replace one the suite sets, and never show a secret.
/// </summary>
public sealed class ExtraHeaderTests
{
    [Fact]
    public async Task Headers_go_on_every_request_and_stream_headers_on_streaming_requests_only()
    {
        var seen = new ConcurrentQueue<(bool Stream, string Route, string Fault)>();
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var stream = (await reader.ReadToEndAsync()).Contains("\"stream\":true", StringComparison.Ordinal);
            seen.Enqueue((stream, ctx.Request.Headers["X-Route"].ToString(), ctx.Request.Headers["X-Fault"].ToString()));
            ctx.Response.StatusCode = 500;
        });
        var options = Suite.Options(server.BaseUrl, "completion.shape", "stream.not-truncated");
        options.Headers.Add(new("X-Route", "blue"));
        options.StreamHeaders.Add(new("X-Fault", "disconnect_after=3"));

        var report = await ConformanceRunner.RunAsync(options);

        seen.Should().Contain(s => s.Stream).And.Contain(s => !s.Stream);
        seen.Should().OnlyContain(s => s.Route == "blue");
        seen.Should().OnlyContain(s => s.Fault == (s.Stream ? "disconnect_after=3" : string.Empty));
        report.Checks.Single(c => c.Id == "stream.not-truncated").Evidence!.Request.Should().Contain("X-Route: blue\nX-Fault: disconnect_after=3\n");
    }

    [Theory]
    [InlineData("X-Api-Token", "abc")] // the name says credential
    [InlineData("X-Gateway", "gw-7f3a9c0d2e5b4a18")] // the value looks like a key
    [InlineData("X-Other", "Bearer sk-proj-0123456789abcdefghij")]
    public async Task A_header_that_may_be_a_secret_is_masked_in_every_output(string name, string value)
    {
        await using var server = await TinyServer.StartAsync(ctx =>
        {
            ctx.Response.StatusCode = 500;
            return Task.CompletedTask;
        });
        var options = Suite.Options(server.BaseUrl, "completion.shape");
        options.Headers.Add(new(name, value));

        var report = await ConformanceRunner.RunAsync(options);

        var request = report.Checks.Single().Evidence!.Request;
        request.Should().Contain($"{name}: ***").And.NotContain(value);
        Conformance.Reporting.JsonReport.Serialize(report).Should().NotContain(value);
    }

    public static TheoryData<string, string, bool> EchoedSecrets => new()
    {
        { "X-Api-Token", "abc123", false }, // masked for its name, though short
        { "X-Gateway", "gw-7f3a9c0d2e5b4a18", false }, // masked for its key-like value
        { "X-Session-Id", "s3cr3tv4lue", true }, // a stream header
    };

    [Theory]
    [MemberData(nameof(EchoedSecrets))]
    public async Task A_masked_header_that_the_endpoint_echoes_is_redacted_from_the_evidence_too(string name, string value, bool stream)
    {
        // A hostile or chatty endpoint quotes the header back, as sent and upper-cased.
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            var echoed = ctx.Request.Headers[name].ToString();
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"bad header " + name + ": " + echoed + " (" + echoed.ToUpperInvariant() + ")\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        });
        var check = stream ? "stream.not-truncated" : "completion.shape";
        var options = Suite.Options(server.BaseUrl, check);
        (stream ? options.StreamHeaders : options.Headers).Add(new(name, value));

        var report = await ConformanceRunner.RunAsync(options);

        var evidence = report.Checks.Single().Evidence!;
        evidence.Request.Should().Contain($"{name}: ***");
        evidence.Excerpt.Should().Contain($"bad header {name}: *** (***)", "the echo was answered, and its value masked in both forms");
        Conformance.Reporting.JsonReport.Serialize(report).Should().NotContainEquivalentOf(value);
    }

    [Theory]
    [InlineData("Authorization", "Bearer x", "sets 'Authorization' itself")]
    [InlineData("content-type", "text/plain", "sets 'content-type' itself")]
    [InlineData("Bad Name", "v", "is not a header name")]
    [InlineData("X-Ok", "line\nbreak", "control or non-ASCII characters")]
    public async Task A_header_that_cannot_be_sent_is_refused_before_any_request(string name, string value, string because)
    {
        var options = Suite.Options(new Uri("http://127.0.0.1:1/v1"));
        options.StreamHeaders.Add(new(name, value));

        var run = () => ConformanceRunner.RunAsync(options);

        (await run.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain("--stream-header").And.Contain(because).And.NotContain(value);
    }

    [Fact]
    public async Task The_CLI_refuses_a_header_without_a_name_with_exit_code_2()
    {
        var (code, _, stderr) = await CliRunner.RunAsync(["--base-url", "http://127.0.0.1:1/v1", "--header", "no-colon-here"]);

        code.Should().Be(2);
        stderr.Should().Contain("--header takes \"Name: value\"").And.NotContain("no-colon-here");
    }
}
