using Conformance.Tests.Fakes;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Checks;

/// <summary>
/// Issue 8: behaviours a real endpoint shows on its own (a mid-stream error event, x-ratelimit-* headers, Retry-After
/// on a 429/503) are judged when seen, fail when malformed, and are not applicable, saying so, when never seen.
/// </summary>
public sealed class ObservedBehaviourTests
{
    private const string Done = "data: [DONE]\n\n";
    private const string VllmErrorEvent = "data: {\"error\":{\"message\":\"boom\",\"type\":\"InternalServerError\",\"param\":null,\"code\":500}}";

    public static TheoryData<string, string> WellFormedErrorEvents => new()
    {
        { FakeAcsServer.ShapedErrorEvent + "\n\n" + Done, "acs" },
        { VllmErrorEvent + "\n\n" + Done, "vllm" }, // spec-facts §4.6: vLLM's integer code, under its own profile
        { FakeAcsServer.ShapedErrorEvent + "\n\ndata: [DONE]", "acs" }, // [DONE] without its blank line still ends it (stream.done.blank-line warns)
        { FakeAcsServer.ShapedErrorEvent + "\n\n" + Done + ": bye\n\n", "acs" }, // a comment after [DONE] is no event
    };

    [Theory]
    [MemberData(nameof(WellFormedErrorEvents))]
    public async Task A_well_formed_error_event_passes_and_makes_the_stream_not_evaluable(string tail, string profile)
    {
        var report = await Suite.RunAsync(new FakeServerOptions { StreamErrorTail = tail }, o => o.Profile = profile, "errors.stream-error-event", "stream.not-truncated");

        var check = report.Checks.Single(c => c.Id == "errors.stream-error-event");
        check.Verdict.Should().Be(Verdict.Pass, check.Message);
        check.Message.Should().Contain("followed by [DONE] alone");
        report.Observations.Should().Contain(new KeyValuePair<string, string>("errors.stream_error_events", "2"), "both streams stream.not-truncated reads end in the error");
        var stream = report.Checks.Single(c => c.Id == "stream.not-truncated");
        stream.Verdict.Should().Be(Verdict.Fail, "a stream that ends in an error is no completed stream, whatever the event's shape");
        stream.Message.Should().Contain("the stream ended with an error event after 1 chunk(s)");
    }

    public static TheoryData<string, string, string> MalformedErrorEvents => new()
    {
        { "data: {\"error\":{\"message\":\"boom\"}}\n\n" + Done, "acs", "breaks the error shape: error.type is not a string" },
        { "data: {\"error\":{\"message\":\"boom\",\"type\":\"server_error\"}}\n\n" + Done, "acs", "breaks the error shape: error.param is absent" },
        { VllmErrorEvent + "\n\n" + Done, "acs", "breaks the error shape: error.code is 500" }, // OpenAI's code is a string or null
        { FakeAcsServer.ShapedErrorEvent + "\n\n", "acs", "the stream ended right after it, without [DONE]" },
        { FakeAcsServer.ShapedErrorEvent + "\n\ndata: {\"id\":\"more\"}\n\n" + Done, "acs", "event #2 after it is \"{\\\"id\\\":\\\"more\\\"}\", not [DONE]" },
        { FakeAcsServer.ShapedErrorEvent + "\n\n" + Done + Done, "acs", "1 event(s) follow its [DONE]" },
        { FakeAcsServer.ShapedErrorEvent + "\n\n" + Done + "data: trailing", "acs", "bytes that are not comments follow its [DONE]" },
    };

    [Theory]
    [MemberData(nameof(MalformedErrorEvents))]
    public async Task A_malformed_error_event_or_what_follows_it_fails(string tail, string profile, string because)
    {
        var report = await Suite.RunAsync(new FakeServerOptions { StreamErrorTail = tail }, o => o.Profile = profile, "errors.stream-error-event");

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Contain(because);
        check.Evidence!.Excerpt.Should().Contain("\"error\"", "the evidence shows the error event");
    }

    [Fact]
    public async Task No_error_event_is_not_applicable_and_says_so()
    {
        var report = await Suite.RunAsync(new FakeServerOptions(), null, "errors.stream-error-event");

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.NotApplicable);
        check.Message.Should().Be("no mid-stream error event was seen in this run (1 stream(s) read), so there is none to judge");
    }

    [Fact]
    public async Task Well_formed_rate_limit_headers_pass()
    {
        var fake = new FakeServerOptions();
        foreach (var (name, value) in OpenAiRateLimits())
        {
            fake.CompletionHeaders[name] = value;
        }

        var report = await Suite.RunAsync(fake, null, "limits.ratelimit-headers", "completion.shape");

        var check = report.Checks.Single(c => c.Id == "limits.ratelimit-headers");
        check.Verdict.Should().Be(Verdict.Pass, check.Message);
        check.Message.Should().Be("2 answer(s) with x-ratelimit-* headers, all well formed");
        report.Observations["limits.ratelimit_headers"].Should().Be(
            "x-ratelimit-limit-requests,x-ratelimit-limit-tokens,x-ratelimit-remaining-requests,x-ratelimit-remaining-tokens,x-ratelimit-reset-requests,x-ratelimit-reset-tokens");
    }

    public static TheoryData<string, string, string, string> MalformedRateLimits => new()
    {
        { "x-ratelimit-limit-requests", "-1", "openai", "x-ratelimit-limit-requests is not a non-negative integer" },
        { "x-ratelimit-limit-tokens", "150k", "acs", "x-ratelimit-limit-tokens is not a non-negative integer" },
        { "x-ratelimit-remaining-tokens", "1.5", "openai", "x-ratelimit-remaining-tokens is not a non-negative integer" },
        { "x-ratelimit-remaining-requests", "61", "openai", "x-ratelimit-remaining-requests exceeds x-ratelimit-limit-requests" },
        { "x-ratelimit-reset-requests", "60", "openai", "x-ratelimit-reset-requests is not a duration as OpenAI writes it" }, // seconds: not OpenAI's format (spec-facts §6.4)
        { "x-ratelimit-reset-tokens", "soon", "openai", "x-ratelimit-reset-tokens is not a duration as OpenAI writes it" },
        { "x-ratelimit-reset-tokens", "6m 0s", "openai", "x-ratelimit-reset-tokens is not a duration as OpenAI writes it" },
        { "x-ratelimit-reset-tokens", "soon", "acs", "x-ratelimit-reset-tokens is neither a duration nor a number of seconds" },
        { "x-ratelimit-reset-requests", "-5", "vllm", "x-ratelimit-reset-requests is neither a duration nor a number of seconds" },
        { "x-ratelimit-reset-requests", "1e3", "acs", "x-ratelimit-reset-requests is neither a duration nor a number of seconds" },
    };

    /// <summary>
    /// The headers are optional and only OpenAI documents their format (spec-facts §6.4), so a malformed one fails the
    /// openai profile and warns under the others.
    /// </summary>
    [Theory]
    [MemberData(nameof(MalformedRateLimits))]
    public async Task A_malformed_rate_limit_header_fails_naming_it(string name, string value, string profile, string because)
    {
        var fake = new FakeServerOptions();
        foreach (var (n, v) in OpenAiRateLimits())
        {
            fake.CompletionHeaders[n] = v;
        }

        fake.CompletionHeaders[name] = value;

        var report = await Suite.RunAsync(fake, o => o.Profile = profile, "limits.ratelimit-headers");

        var check = report.Checks.Single();
        check.Verdict.Should().Be(profile == "openai" ? Verdict.Fail : Verdict.Warn);
        check.Message.Should().Contain(because);
        check.Evidence!.Seen.Should().Contain(value);
        check.Evidence.Excerpt.Should().Contain($"{name}: {value}");
    }

    [Theory]
    [InlineData("20ms", "openai")]
    [InlineData("0s", "openai")]
    [InlineData("1h2m3.5s", "openai")]
    [InlineData("2m59.56s", "openai")]
    [InlineData("6m0s", "acs")]
    [InlineData("1ms", "vllm")]
    [InlineData("11.38", "acs")] // Cerebras's x-ratelimit-reset-tokens-minute: seconds
    [InlineData("33011.38", "vllm")] // and its x-ratelimit-reset-requests-day
    [InlineData("0", "llamacpp")]
    [InlineData("60", "acs")]
    public async Task Reset_durations_as_Go_writes_them_and_elsewhere_plain_seconds_pass(string reset, string profile)
    {
        var fake = new FakeServerOptions();
        fake.CompletionHeaders["x-ratelimit-reset-requests"] = reset;

        var report = await Suite.RunAsync(fake, o => o.Profile = profile, "limits.ratelimit-headers");

        report.Checks.Single().Verdict.Should().Be(Verdict.Pass, report.Checks.Single().Message);
    }

    public static TheoryData<string[], string[], Verdict, string> RepeatedRateLimits => new()
    {
        // A proxy repeats each header on its own field line, or joins the lines with commas (RFC 9110 §5.3).
        { ["60", "60"], ["59", "59"], Verdict.Pass, "1 answer(s) with x-ratelimit-* headers, all well formed" },
        { ["60, 60"], ["59, 59"], Verdict.Pass, "1 answer(s) with x-ratelimit-* headers, all well formed" },
        { ["100", "60"], ["99", "59"], Verdict.Pass, "1 answer(s) with x-ratelimit-* headers, all well formed" }, // two layers, each with its own limit
        { ["60", "60"], ["61", "61"], Verdict.Fail, "x-ratelimit-remaining-requests exceeds x-ratelimit-limit-requests" },
        { ["60, x"], ["59"], Verdict.Fail, "x-ratelimit-limit-requests is not a non-negative integer" },
    };

    [Theory]
    [MemberData(nameof(RepeatedRateLimits))]
    public async Task A_repeated_rate_limit_header_is_judged_value_by_value(string[] limit, string[] remaining, Verdict verdict, string because)
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            ctx.Response.Headers["x-ratelimit-limit-requests"] = limit;
            ctx.Response.Headers["x-ratelimit-remaining-requests"] = remaining;
            ctx.Response.Headers["x-ratelimit-reset-requests"] = new[] { "1s", "1s" };
            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        });
        var options = Suite.Options(server.BaseUrl, "limits.ratelimit-headers");
        options.Profile = "openai"; // where the rule is a MUST

        var report = await ConformanceRunner.RunAsync(options);

        var check = report.Checks.Single();
        check.Verdict.Should().Be(verdict, check.Message);
        check.Message.Should().Contain(because);
    }

    [Fact]
    public async Task Rate_limit_headers_of_a_429_that_was_retried_are_judged_too()
    {
        var answers = 0;
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "application/json";
            if (Interlocked.Increment(ref answers) == 1)
            {
                ctx.Response.StatusCode = 429;
                ctx.Response.Headers.RetryAfter = "0";
                ctx.Response.Headers["x-ratelimit-reset-requests"] = "soon";
                await ctx.Response.WriteAsync("{\"error\":{\"message\":\"slow down\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
                return;
            }

            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"no\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}");
        });

        var options = Suite.Options(server.BaseUrl, "limits.ratelimit-headers");
        options.Profile = "openai"; // where the rule is a MUST

        var report = await ConformanceRunner.RunAsync(options);

        answers.Should().Be(2, "the 429 was retried, and the answer the exchange kept has no such header");
        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Be("an HTTP 429 answer carries a malformed rate-limit header: x-ratelimit-reset-requests is not a duration as OpenAI writes it");
    }

    [Fact]
    public async Task No_rate_limit_headers_are_not_applicable_and_say_so()
    {
        var report = await Suite.RunAsync(new FakeServerOptions(), null, "limits.ratelimit-headers");

        var check = report.Checks.Single();
        check.Verdict.Should().Be(Verdict.NotApplicable);
        check.Message.Should().StartWith("no answer of this run carried x-ratelimit-* headers (1 answers)");
    }

    [Theory]
    [InlineData(429, "insufficient_quota", null, null, Verdict.NotApplicable, "1 insufficient_quota 429(s) need none")]
    [InlineData(429, "rate_limit_exceeded", null, null, Verdict.Fail, "an HTTP 429 came without a usable Retry-After")]
    [InlineData(429, "rate_limit_exceeded", "2", null, Verdict.Pass, "1 429/503 answers, each with Retry-After")]
    [InlineData(503, "model_loading", "1.5", null, Verdict.Fail, "an HTTP 503 came without a usable Retry-After")]
    [InlineData(503, "model_loading", "Wed, 21 Oct 2015 07:28:00 GMT", null, Verdict.Pass, "1 429/503 answers, each with Retry-After")]

    // OpenAI's "Request too large": retrying cannot help, and the server says so (spec-facts §6.4, §11 item 6).
    [InlineData(429, "rate_limit_exceeded", null, "false", Verdict.NotApplicable, "1 429(s) with x-should-retry: false need none")]
    [InlineData(429, "insufficient_quota", null, "false", Verdict.NotApplicable, "1 insufficient_quota 429(s) need none")]
    [InlineData(429, "rate_limit_exceeded", null, "False", Verdict.Fail, "an HTTP 429 came without a usable Retry-After")] // the OpenAI SDK compares exactly, and retries
    [InlineData(429, "rate_limit_exceeded", null, "true", Verdict.Fail, "an HTTP 429 came without a usable Retry-After")]
    [InlineData(503, "model_loading", null, "false", Verdict.Fail, "an HTTP 503 came without a usable Retry-After")] // the leave to omit it is for 429s
    public async Task Retry_After_is_judged_by_what_the_answer_needs(int status, string code, string? retryAfter, string? shouldRetry, Verdict verdict, string because)
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.StatusCode = status;
            ctx.Response.ContentType = "application/json";
            if (retryAfter is not null)
            {
                ctx.Response.Headers.RetryAfter = retryAfter;
            }

            if (shouldRetry is not null)
            {
                ctx.Response.Headers["x-should-retry"] = shouldRetry;
            }

            await ctx.Response.WriteAsync("{\"error\":{\"message\":\"no\",\"type\":\"" + code + "\",\"param\":null,\"code\":\"" + code + "\"}}");
        });
        var options = Suite.Options(server.BaseUrl, "errors.retry-after");
        options.MaxRetries = 0; // the answer is judged, not waited for

        var report = await ConformanceRunner.RunAsync(options);

        var check = report.Checks.Single();
        check.Verdict.Should().Be(verdict, check.Message);
        check.Message.Should().Contain(because);
    }

    private static Dictionary<string, string> OpenAiRateLimits() => new()
    {
        ["x-ratelimit-limit-requests"] = "60",
        ["x-ratelimit-remaining-requests"] = "59",
        ["x-ratelimit-reset-requests"] = "1s",
        ["x-ratelimit-limit-tokens"] = "150000",
        ["x-ratelimit-remaining-tokens"] = "149984",
        ["x-ratelimit-reset-tokens"] = "6m0s",
    };
}
