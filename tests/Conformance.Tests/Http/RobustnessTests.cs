using System.Text;
using Conformance.Http;
using Conformance.Reporting;
using Conformance.Sse;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Http;

/// <summary>Secrets stay out of every output, and hostile values (huge numbers, duplicate keys, bad keys) are reported, not thrown.</summary>
public sealed class RobustnessTests
{
    private const string LongKey = "sk-SECRET-0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ";

    private static Task<TinyServer> JsonServerAsync(int status, Func<HttpContext, string> body, string? retryAfter = null) => TinyServer.StartAsync(async ctx =>
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        if (retryAfter is not null)
        {
            ctx.Response.Headers.RetryAfter = retryAfter;
        }

        await ctx.Response.WriteAsync(body(ctx));
    });

    private static string Echo(HttpContext ctx, int at) =>
        "{\"error\":{\"message\":\"" + new string('x', at - 30) + "bad key " + ctx.Request.Headers.Authorization.ToString()["Bearer ".Length..] + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";

    private static string Everything(ConformanceReport report) =>
        JsonReport.Serialize(report) + ConsoleReport.Summary(report) + JUnitReport.Render(report);

    [Fact]
    public async Task RunAsync_BaseUrlWithUserInfo_NeverPrintsIt()
    {
        await using var server = await JsonServerAsync(200, _ => "{\"object\":\"list\",\"data\":[]}");
        var url = new UriBuilder(server.BaseUrl) { UserName = "admin", Password = "hunter2pass" }.Uri;
        var options = Suite.Options(url, "models");

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Should().NotBeEmpty();
        Everything(report).Should().NotContain("hunter2pass").And.NotContain("admin:");
    }

    [Fact]
    public void Redact_KeyWithSurroundingWhitespace_AlsoMatchesTheTrimmedForm()
    {
        var redactor = new Redactor(" sk-padded-secret \n");

        redactor.Redact("Bearer sk-padded-secret was echoed").Should().Be("Bearer *** was echoed");
        redactor.Redact("x sk-padded-secret \n y").Should().NotContain("sk-padded");
    }

    [Fact]
    public async Task RunAsync_KeyWithWhitespaceEchoedTrimmed_IsRedactedEverywhere()
    {
        const string key = "sk-spacey-secret-0123456789";
        await using var server = await JsonServerAsync(401, ctx => Echo(ctx, 40));
        var options = Suite.Options(server.BaseUrl, "models", "auth");
        options.ApiKey = key + " ";

        var report = await ConformanceRunner.RunAsync(options);

        server.Authorizations.Should().Contain("Bearer " + key, "the server sees the key trimmed");
        Everything(report).Should().NotContain(key);
    }

    [Fact]
    public async Task RunAsync_KeyEchoedWhereTheExcerptIsCut_LeavesNoPrefix()
    {
        // The key starts at character 595 of the body: the 600-character evidence excerpt cuts through it.
        await using var server = await JsonServerAsync(401, ctx => Echo(ctx, 595));
        var options = Suite.Options(server.BaseUrl, "models", "auth");
        options.ApiKey = LongKey;

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Should().Contain(c => c.Evidence != null && c.Evidence.Excerpt!.Contains("bad key", StringComparison.Ordinal));
        Everything(report).Should().NotContain(LongKey[..5]);
    }

    [Fact]
    public void Redact_KeyPrefixBeforeACutMarker_IsMasked()
    {
        var redactor = new Redactor(LongKey);

        redactor.Redact("bad key " + LongKey[..7] + "… [96 more chars]").Should().Be("bad key ***… [96 more chars]");
        redactor.Excerpt("bad key " + LongKey, 12).Should().NotContain("sk-S");
        redactor.Redact("skip… the rest").Should().Be("skip… the rest", "a prefix shorter than four characters is not masked");
    }

    [Fact]
    public void SseReader_RawCapCutsThroughAKey_MasksItsPrefix()
    {
        var redactor = new Redactor(LongKey);
        var reader = new SseReader(redactor.Cut);

        // "data: " + padding puts the key at raw character 3994, six characters before the 4,000-character cap.
        reader.Feed(Encoding.UTF8.GetBytes("data: " + new string('x', 3988) + LongKey + "\n\n"));
        reader.Complete();

        reader.Events.Should().ContainSingle().Which.Raw.Should().NotContain(LongKey[..4]).And.EndWith(Redactor.Mask + "\n");
    }

    [Fact]
    public void ParseRetryAfter_HugeValue_IsUnusableAndDoesNotThrow()
    {
        using var client = new EndpointClient(Suite.Options(new Uri("http://127.0.0.1:1/v1")), new TokenBudget(10), new Redactor(null));

        client.ParseRetryAfter("1e300").Should().Be((false, TimeSpan.MaxValue));
        client.ParseRetryAfter("Infinity").Valid.Should().BeFalse();
        client.ParseRetryAfter("86400").Should().Be((true, TimeSpan.FromDays(1)));
    }

    [Fact]
    public async Task RunAsync_RetryAfterOverflowing_IsReportedAsUnusableAndNotWaited()
    {
        await using var server = await JsonServerAsync(429, _ => "{\"error\":{\"message\":\"slow down\",\"type\":\"rate_limit_error\",\"param\":null,\"code\":null}}", "1e300");
        var options = Suite.Options(server.BaseUrl, "errors.retry-after", "completion.shape");

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Select(c => c.Message).Should().NotContain(m => m.Contains("could not be evaluated", StringComparison.Ordinal));
        var retry = report.Checks.Single(c => c.Id == "errors.retry-after");
        retry.Verdict.Should().BeOneOf(Verdict.Fail, Verdict.Warn);
        retry.Message.Should().Contain("usable Retry-After");
        retry.Evidence!.Seen.Should().Contain("1e300");
        report.Checks.Single(c => c.Id == "completion.shape").Evidence!.Excerpt.Should().Contain("too long");
        report.Usage.Retries.Should().Be(0);
    }

    [Fact]
    public async Task SendAsync_StreamChunkWithDuplicateKeys_IsLoggedAndSettled()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync("data: {\"id\":\"c\",\"choices\":[],\"usage\":null,\"usage\":null}\n\ndata: [DONE]\n\n");
        });
        using var client = new EndpointClient(Suite.Options(server.BaseUrl), new TokenBudget(100), new Redactor(Suite.Key));

        var exchange = await client.SendAsync(new RequestSpec("dup", HttpMethod.Post, "completions", "{}", Stream: true, TokenEstimate: 60), CancellationToken.None);

        client.Log.Should().ContainSingle().Which.Should().BeSameAs(exchange);
        client.Budget.Spent.Should().Be(60, "the estimate stands in for unreadable usage");
        client.Budget.TryReserve(40).Should().BeTrue("the reservation was released");
    }

    [Fact]
    public async Task RunAsync_StreamChunkWithDuplicateKeys_FailsWithEvidence()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "text/event-stream";
            await ctx.Response.WriteAsync("data: {\"id\":\"c\",\"object\":\"text_completion\",\"created\":1,\"model\":\"llama-8b\",\"choices\":[{\"index\":0,\"text\":\"a\",\"finish_reason\":\"stop\",\"logprobs\":null}],\"usage\":null,\"usage\":null}\n\ndata: [DONE]\n\n");
        });
        var options = Suite.Options(server.BaseUrl, "stream");

        var report = await ConformanceRunner.RunAsync(options);

        report.Usage.Requests.Should().BeGreaterThan(0);
        report.Checks.Where(c => c.Verdict == Verdict.Fail).Should().NotBeEmpty()
            .And.OnlyContain(c => c.Evidence != null && !c.Message.Contains("could not be evaluated", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Exchange_JsonBodyWithDuplicateKeys_IsEvidenceNotAnException()
    {
        await using var server = await JsonServerAsync(200, _ => "{\"id\":\"c\",\"choices\":[],\"usage\":null,\"usage\":null}");
        using var client = new EndpointClient(Suite.Options(server.BaseUrl), new TokenBudget(100), new Redactor(Suite.Key));

        var exchange = await client.SendAsync(new RequestSpec("dup", HttpMethod.Post, "completions", "{}", TokenEstimate: 60), CancellationToken.None);

        exchange.Json.Should().BeNull();
        exchange.JsonError.Should().Contain("usage");
        exchange.Describe().Should().Contain("not usable JSON").And.ContainEquivalentOf("duplicate");
        client.Budget.Spent.Should().Be(60);
    }

    [Fact]
    public async Task RunAsync_KeyThatCannotBeAHeader_IsATransportFailureWithoutTheKey()
    {
        await using var server = await JsonServerAsync(200, _ => "{\"object\":\"list\",\"data\":[]}");
        var options = Suite.Options(server.BaseUrl, "models");
        options.ApiKey = "sk-bad\nkey-é";

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Should().OnlyContain(c => c.Verdict == Verdict.Fail);
        report.Checks.Select(c => c.Message).Should().NotContain(m => m.Contains("could not be evaluated", StringComparison.Ordinal));
        Everything(report).Should().NotContain("sk-bad").And.NotContain("key-é");
    }

    [Fact]
    public void TokenBudget_HugeReportedUsage_SaturatesInsteadOfWrapping()
    {
        var budget = new TokenBudget(4_000);
        budget.TryReserve(100).Should().BeTrue();

        budget.Settle(100, int.MaxValue);
        budget.Settle(0, int.MaxValue);

        budget.TryReserve(1).Should().BeFalse("the budget is exhausted, not wrapped negative");
        budget.Spent.Should().Be(int.MaxValue);
    }
}
