using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Checks;

/// <summary>
/// validation.boolean.*: "coerced" is said only on evidence; a refusal that shows nothing value-dependent is no evidence
/// either way (docs/conformance.md, "Booleans: a refusal must be about the type"). Stamped messages: BooleanStampTests.
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
