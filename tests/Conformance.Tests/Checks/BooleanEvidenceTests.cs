using System.Globalization;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Checks;

/// <summary>
/// validation.boolean.*: "coerced" is said only on evidence, and per-request tokens in messages hide no coercion
/// (docs/conformance.md, "Booleans: a refusal must be about the type").
/// </summary>
public sealed class BooleanEvidenceTests
{
    [Theory]
    [InlineData("\"Invalid request\"", "same status, message, code and param")]
    [InlineData("null", "same status, code and param, no message")]
    public async Task StrictServerWithOneGenericRefusal_Fails_WithoutClaimingCoercion(string message, string same)
    {
        // Every request is refused alike: nothing in the answer depends on the value, so nothing proves either reading.
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"error\":{\"message\":" + message + ",\"type\":\"invalid_request_error\",\"param\":\"n\",\"code\":\"bad_request\"}}");
        });

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Be($"the server refused `n: false` exactly as it refuses `n: 0` ({same}): nothing shows the refusal is about the type");
        report.Observations["validation.boolean.n.false.coerced"].Should().Be("false");
    }

    [Theory]
    [InlineData("request id req_{0}")]
    [InlineData("trace {1}")]
    [InlineData("ref {2}")]
    [InlineData("at {3}")]
    public async Task CoercingServerThatStampsItsMessages_IsReportedAsCoercion(string stamp)
    {
        // A Python-style server that coerces false to 0 (pydantic lax) and stamps each message with something new.
        var count = 0;
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            var n = Json.TryParse(await reader.ReadToEndAsync())?["n"];
            ctx.Response.ContentType = "application/json";
            if (n is null)
            {
                await ctx.Response.WriteAsync("{}");
                return;
            }

            var i = Interlocked.Increment(ref count);
            var tag = string.Format(
                CultureInfo.InvariantCulture,
                stamp,
                $"abc{i}x9k2m",
                new Guid(i, 0, 0, [1, 2, 3, 4, 5, 6, 7, (byte)i]),
                (0x5eed0000_0000_0000UL + (ulong)i).ToString("x16", CultureInfo.InvariantCulture),
                new DateTimeOffset(2026, 11, 30, 9, i, 4, 123, TimeSpan.Zero).ToString("o", CultureInfo.InvariantCulture));
            var shown = Json.Kind(n) == System.Text.Json.JsonValueKind.False ? "False" : n.ToJsonString();
            ctx.Response.StatusCode = 400;
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"n must be at least 1, got " + shown + " (" + tag + ")\",\"type\":\"invalid_request_error\",\"param\":\"n\",\"code\":null}}");
        });

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Be("the server refused `n: false` exactly as it refuses `n: 0`: the boolean was coerced, not refused");
    }

    [Fact]
    public async Task StrictServerWhoseRangeMessageNamesABound_IsNotCalledCoerced()
    {
        // "(0, 1]" shows 0 in both answers, but as a bound: the answer to -7 is the same text, so 0 is not the value read.
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = 400;
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"top_p must be in (0, 1]\",\"type\":\"invalid_request_error\",\"param\":\"top_p\",\"code\":null}}");
        });

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.top_p.false"));

        report.Checks.Single().Message.Should().EndWith("nothing shows the refusal is about the type");
    }
}
