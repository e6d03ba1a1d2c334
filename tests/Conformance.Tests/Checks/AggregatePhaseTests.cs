using Conformance.Checks;
using Conformance.Http;
using Conformance.Profiles;
using Conformance.Tests.Fakes;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Checks;

/// <summary>
/// The aggregate checks (errors.*, schema.*) judge a finished log: every probe any of them sends is answered before any
/// of them reads the log, so no verdict depends on which check got there first.
/// </summary>
public sealed class AggregatePhaseTests
{
    /// <summary>The envelope check must see the answer to errors.no-5xx's probe, however the checks are scheduled.</summary>
    [Theory]
    [InlineData(1)] // one at a time, in catalogue order: errors.envelope used to judge before errors.no-5xx sent its probe
    [InlineData(8)]
    public async Task ANonEnvelope400ToTheLogitBiasProbe_FailsTheEnvelopeRules_EveryTime(int concurrency)
    {
        await using var server = await TinyServer.StartAsync(AnswerAsync);
        for (var run = 0; run < 10; run++)
        {
            var options = Suite.Options(server.BaseUrl, "errors.envelope", "errors.no-5xx", "schema.error");
            options.MaxConcurrency = concurrency;

            var report = await ConformanceRunner.RunAsync(options);

            var envelope = report.Checks.Single(c => c.Id == "errors.envelope");
            envelope.Verdict.Should().Be(Verdict.Fail, "run {0}: {1}", run, envelope.Message);
            envelope.Message.Should().Be("an HTTP 400 body breaks the envelope: no `error` object");
            envelope.Evidence!.Request.Should().Contain("not-a-token-id");
            var schema = report.Checks.Single(c => c.Id == "schema.error");
            schema.Verdict.Should().Be(Verdict.Warn, "run {0}: {1} (a SHOULD under acs)", run, schema.Message);
            schema.Message.Should().StartWith("an HTTP 400 body breaks the error schema at $.detail");
            schema.Evidence!.Request.Should().Contain("not-a-token-id");
        }
    }

    /// <summary>
    /// The structural guard: alone, each aggregate check sends everything it needs in its Prepare step, so judging it
    /// sends nothing more. A new aggregate check with a probe of its own that Prepare does not declare fails this test.
    /// </summary>
    [Fact]
    public async Task EveryAggregateCheck_SendsNothingWhileJudging()
    {
        await using var server = await FakeAcsServer.StartAsync();
        var aggregates = Catalogue.All.Where(c => c.Aggregate).ToList();
        aggregates.Should().NotBeEmpty();
        foreach (var check in aggregates)
        {
            var options = Suite.Options(server.BaseUrl, check.Id);
            using var client = new EndpointClient(options, new TokenBudget(options.TokenBudget), new Redactor(options.ApiKey));
            var ctx = new CheckContext(options, BuiltInProfiles.All[BuiltInProfiles.Default], client, CancellationToken.None);

            if (check.Prepare is not null)
            {
                await check.Prepare(ctx);
            }

            var sent = client.Log.Count;
            await check.Evaluate(ctx);
            client.Log.Count.Should().Be(sent, "{0} must declare every probe it sends in Prepare", check.Id);
        }
    }

    /// <summary>Errors in the envelope for the error probes, a non-envelope 400 for the malformed logit_bias.</summary>
    private static async Task AnswerAsync(HttpContext ctx)
    {
        using var reader = new StreamReader(ctx.Request.Body);
        var text = await reader.ReadToEndAsync();
        ctx.Response.ContentType = "application/json";
        var body = Json.TryParse(text);
        if (body is null)
        {
            ctx.Response.StatusCode = 400;
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"not JSON\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        }
        else if (body["logit_bias"] is not null)
        {
            ctx.Response.StatusCode = 400;
            await ctx.Response.WriteAsync("{\"detail\":\"logit_bias keys must be token ids\"}");
        }
        else
        {
            ctx.Response.StatusCode = 404;
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"no such model\",\"type\":\"invalid_request_error\",\"param\":\"model\",\"code\":\"model_not_found\"}}");
        }
    }
}
