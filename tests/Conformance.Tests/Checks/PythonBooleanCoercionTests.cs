using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Checks;

/// <summary>
/// validation.boolean.*: a Python server (pydantic in lax mode turns <c>false</c> into 0 for an int field) prints the
/// coerced value as <c>False</c>: "n must be at least 1, got False." against "got 0.". That is coercion, not a refusal of the type.
/// </summary>
public sealed class PythonBooleanCoercionTests
{
    [Fact]
    public async Task ServerPrintingTheCoercedValueAsFalse_IsReportedAsCoercion()
    {
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

            var shown = Json.Kind(n) == System.Text.Json.JsonValueKind.False ? "False" : n.ToJsonString();
            ctx.Response.StatusCode = 400;
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"n must be at least 1, got " + shown + ".\",\"type\":\"invalid_request_error\",\"param\":\"n\",\"code\":null}}");
        });

        var report = await ConformanceRunner.RunAsync(Suite.Options(server.BaseUrl, "validation.boolean.n.false"));

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Be("the server refused `n: false` exactly as it refuses `n: 0`: the boolean was coerced, not refused");
    }
}
