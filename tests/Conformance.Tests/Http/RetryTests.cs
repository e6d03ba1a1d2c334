using Conformance.Tests.Fakes;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Http;

/// <summary>Cold starts (503 + Retry-After) are waited out within a bound, reported, and never turned into failures.</summary>
public sealed class RetryTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task RunAsync_ColdStartWithRetryAfter_RetriesOnlyOnceTheClockHasPassedIt()
    {
        var clock = new ObservedClock();
        var requests = 0;
        DateTimeOffset? retriedAt = null;
        var retried = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            if (Interlocked.Increment(ref requests) == 1)
            {
                ctx.Response.StatusCode = 503;
                ctx.Response.Headers.RetryAfter = "1";
                await ctx.Response.WriteAsync("{\"error\":{\"message\":\"starting\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
                return;
            }

            retriedAt ??= clock.GetUtcNow();
            retried.TrySetResult();
            await ctx.Response.WriteAsync("{\"object\":\"list\",\"data\":[{\"id\":\"" + FakeAcsServer.Model + "\",\"object\":\"model\",\"created\":0,\"owned_by\":\"acs\"}]}");
        });
        var options = Suite.Options(server.BaseUrl, "models.lists-model");
        options.TimeProvider = clock;
        var started = clock.GetUtcNow();

        var run = ConformanceRunner.RunAsync(options);

        // Either the client starts its one-second wait, or (if it does not wait) the retry arrives first.
        var first = await Task.WhenAny(clock.TimerCreated(TimeSpan.FromSeconds(1)), retried.Task).WaitAsync(Guard);
        first.Should().NotBeSameAs(retried.Task, "the retry must not be sent before Retry-After has passed");
        retried.Task.IsCompleted.Should().BeFalse();
        clock.Fake.Advance(TimeSpan.FromSeconds(1));
        var report = await run.WaitAsync(Guard);

        (retriedAt - started).Should().Be(TimeSpan.FromSeconds(1), "the retry went out when the clock reached Retry-After, not before");
        report.Checks.Single().Verdict.Should().Be(Verdict.Pass, report.Checks.Single().Message);
        report.Usage.Retries.Should().Be(1);
        report.Usage.RetryWaitMs.Should().Be(1_000);
        report.Usage.Requests.Should().Be(2, "every attempt, the retried one included, is counted");
    }

    [Fact]
    public async Task RunAsync_RetryAfterBeyondBound_IsNotWaitedAndFailsWithTheReason()
    {
        // The clock never moves: had the client started waiting 120 s on it, the run would not end.
        var clock = new ObservedClock();
        var report = await Suite.RunAsync(new FakeServerOptions { ColdStartFailures = 100, RetryAfter = "120" }, o => o.TimeProvider = clock, "completion.shape", "errors.no-5xx").WaitAsync(Guard);

        clock.TimerCreated(TimeSpan.FromSeconds(120)).IsCompleted.Should().BeFalse("a Retry-After beyond the bound is never waited");
        report.DurationMs.Should().Be(0);
        var shape = report.Checks.Single(c => c.Id == "completion.shape");
        shape.Verdict.Should().Be(Verdict.Fail);
        shape.Evidence!.Excerpt.Should().Contain("HTTP 503").And.Contain("Retry-After 120s exceeds the bound of 2s; not retried");
        report.Checks.Single(c => c.Id == "errors.no-5xx").Verdict.Should().Be(Verdict.Fail, "a 503 that outlasts the retry bound is a final 5xx");
        report.Usage.Retries.Should().Be(0);
    }

    [Fact]
    public async Task RunAsync_ColdStartLongerThanRetries_GivesUpAfterTheBound()
    {
        var fake = new FakeServerOptions { ColdStartFailures = 100, RetryAfter = "0" };

        var report = await Suite.RunAsync(fake, o => o.MaxRetries = 2, "completion.shape");

        report.Checks.Single().Verdict.Should().Be(Verdict.Fail);
        report.Usage.Retries.Should().Be(2);
    }

    public static TheoryData<string, string?, string> PointlessRetries => new()
    {
        // OpenAI's "Request too large": a request above the whole per-minute limit, which no wait lets through.
        { "rate_limit_exceeded", "false", "the server said not to retry (x-should-retry: false); not retried" },
        { "insufficient_quota", null, "insufficient_quota: a person has to act, waiting cannot help; not retried" },
    };

    [Theory]
    [MemberData(nameof(PointlessRetries))]
    public async Task RunAsync_A429RetryingCannotHelp_IsSentOnceAndSaysWhy(string code, string? shouldRetry, string note)
    {
        var requests = 0;
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            Interlocked.Increment(ref requests);
            ctx.Response.StatusCode = 429;
            ctx.Response.ContentType = "application/json";
            if (shouldRetry is not null)
            {
                ctx.Response.Headers["x-should-retry"] = shouldRetry;
            }

            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"Request too large\",\"type\":\"tokens\",\"param\":null,\"code\":\"" + code + "\"}}");
        });
        var options = Suite.Options(server.BaseUrl, "completion.shape");

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        requests.Should().Be(1, $"retrying cannot help, and MaxRetries ({options.MaxRetries}) must not be spent on it");
        report.Usage.Retries.Should().Be(0);
        var shape = report.Checks.Single();
        shape.Verdict.Should().Be(Verdict.Fail);
        shape.Evidence!.Excerpt.Should().Contain("HTTP 429").And.Contain(note);
    }

    [Fact]
    public async Task RunAsync_A429ThatSaysRetry_IsStillRetried()
    {
        var requests = 0;
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            Interlocked.Increment(ref requests);
            ctx.Response.StatusCode = 429;
            ctx.Response.ContentType = "application/json";
            ctx.Response.Headers["x-should-retry"] = "true";
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
        });
        var options = Suite.Options(server.BaseUrl, "completion.shape");
        options.MaxRetries = 2;

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        requests.Should().Be(3, "an ordinary rate limit is retried up to MaxRetries");
        report.Usage.Retries.Should().Be(2);
    }
}
