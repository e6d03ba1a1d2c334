using Conformance.Tests.Cli;
using Conformance.Tests.Http;
using MockServer.Hosting;

namespace Conformance.Tests.Checks;

/// <summary>
/// Issue 8, "The suite and these behaviours": against the real MockServer with each fault of its <c>X-Mock-Fault</c>
/// header on, the suite reports the fault as the failure it is, with the fault named in the evidence, and never crashes.
/// The suite sends the header through its own options (<see cref="ConformanceOptions.StreamHeaders"/> for the faults that
/// act on frames, which the mock refuses on a non-streaming request); it shares no code with the mock.
/// </summary>
public sealed class MockFaultTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>The stream faults: the check that must fail and what its message must say.</summary>
    public static TheoryData<string, string, string> StreamFaults => new()
    {
        // A clean close without [DONE] after frame 3.
        { "disconnect_after=3", "stream.not-truncated", "ended after 3 event(s)" },

        // Frame 2 is not JSON.
        { "malformed_at=2", "stream.json-per-event", "an event's data is not a JSON object" },

        // Frames 1 and 2, then data: {"error": …} and [DONE] (spec-facts §4.6): the stream is the streaming form of a 5xx.
        { "error_after=2", "stream.not-truncated", "not evaluable: the stream ended with an error event after 2 chunk(s): The model 'llama-8b' was evicted" },

        // The connection is aborted after frame 3: a transport failure, not a verdict on frames.
        { "reset_after=3", "stream.not-truncated", "the connection failed" },
    };

    [Theory]
    [MemberData(nameof(StreamFaults))]
    public async Task A_stream_fault_fails_the_check_it_breaks_and_names_the_fault(string fault, string failing, string because)
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var options = MockOptions(server, "stream", "completion.shape");
        options.StreamHeaders.Add(new("X-Mock-Fault", fault));

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        AssertReported(report);
        var check = report.Checks.Single(c => c.Id == failing);
        check.Verdict.Should().Be(Verdict.Fail);
        check.Message.Should().Contain(because);
        check.Evidence!.Request.Should().Contain($"X-Mock-Fault: {fault}", "the evidence shows the request that carried the fault");

        // Sent on streaming requests only: the non-streaming completion is the mock's own, so it passes.
        report.Checks.Single(c => c.Id == "completion.shape").Verdict.Should().Be(Verdict.Pass);
    }

    [Fact]
    public async Task A_stream_fault_sent_on_every_request_shows_the_mocks_refusal_naming_the_header_on_the_others()
    {
        // Why --stream-header exists: sent with --header, the non-streaming requests are refused, and the verdict says so.
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var options = MockOptions(server, "completion.shape");
        options.Headers.Add(new("X-Mock-Fault", "disconnect_after=3"));

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        var check = report.Checks.Single();
        check.Message.Should().Be("the request was answered HTTP 400");
        check.Evidence!.Excerpt.Should().Contain("X-Mock-Fault").And.Contain("acts on stream frames");
    }

    [Fact]
    public async Task An_error_event_from_the_mock_is_judged_well_formed_while_the_stream_checks_fail()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var options = MockOptions(server, "stream.chunk-shape", "errors.stream-error-event");
        options.StreamHeaders.Add(new("X-Mock-Fault", "error_after=2"));

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        AssertReported(report);
        var judged = report.Checks.Single(c => c.Id == "errors.stream-error-event");
        judged.Verdict.Should().Be(Verdict.Pass, judged.Message);
        judged.Message.Should().Contain("OpenAI-shaped and followed by [DONE] alone");
        var shape = report.Checks.Single(c => c.Id == "stream.chunk-shape");
        shape.Verdict.Should().Be(Verdict.Fail);
        shape.Message.Should().StartWith("not evaluable: the stream ended with an error event", "an error event is no chunk and must not be judged as one");
        shape.Evidence!.Excerpt.Should().Contain("model_evicted");
    }

    [Fact]
    public async Task A_chat_stream_fault_fails_the_chat_stream_check_and_its_error_event_is_judged()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var options = MockOptions(server, "chat.stream.not-truncated", "chat.stream.json-per-event", "errors.stream-error-event");
        options.Model = "llama-8b-instruct";
        options.Profile = "openai";
        options.StreamHeaders.Add(new("X-Mock-Fault", "error_after=2"));

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        AssertReported(report);
        report.Checks.Single(c => c.Id == "chat.stream.not-truncated").Message.Should().Contain("the stream ended with an error event after 2 chunk(s)");
        report.Checks.Single(c => c.Id == "chat.stream.json-per-event").Verdict.Should().Be(Verdict.Fail);
        report.Checks.Single(c => c.Id == "errors.stream-error-event").Verdict.Should().Be(Verdict.Pass);
    }

    [Fact]
    public async Task A_500_before_any_byte_fails_the_checks_that_needed_a_200_and_is_reported_not_thrown()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var options = MockOptions(server, "completion.shape", "stream.not-truncated", "errors.no-5xx", "validation.unknown-parameter");
        options.Headers.Add(new("X-Mock-Fault", "status=500"));

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        AssertReported(report);
        report.Checks.Single(c => c.Id == "completion.shape").Message.Should().Be("not evaluable: the request was answered HTTP 500");
        report.Checks.Single(c => c.Id == "stream.not-truncated").Message.Should().Contain("answered HTTP 500");
        report.Checks.Single(c => c.Id == "errors.no-5xx").Message.Should().Contain("answered HTTP 500");
        report.Checks.Where(c => c.Id != "validation.unknown-parameter").Should().OnlyContain(c => c.Verdict == Verdict.Fail);

        // Validation answers before the fault (the mock's admission order), so what a 400 judges is still judged.
        report.Checks.Single(c => c.Id == "validation.unknown-parameter").Verdict.Should().Be(Verdict.Pass);
    }

    [Fact]
    public async Task A_503_with_a_Retry_After_beyond_the_bound_is_reported_not_waited_and_its_Retry_After_judged()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var options = MockOptions(server, "completion.shape", "errors.retry-after", "errors.no-5xx");
        options.Headers.Add(new("X-Mock-Fault", "status=503;retry_after=60"));

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        AssertReported(report);
        var shape = report.Checks.Single(c => c.Id == "completion.shape");
        shape.Verdict.Should().Be(Verdict.Fail);
        shape.Evidence!.Excerpt.Should().Contain("Retry-After 60s exceeds the bound");
        report.Checks.Single(c => c.Id == "errors.retry-after").Verdict.Should().Be(Verdict.Pass, "the mock's 503 carries whole seconds");
        report.Checks.Single(c => c.Id == "errors.no-5xx").Verdict.Should().Be(Verdict.Fail);
        report.Usage.Retries.Should().Be(0);
    }

    [Fact]
    public async Task A_429_without_Retry_After_fails_the_Retry_After_rule()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var options = MockOptions(server, "completion.shape", "errors.retry-after");
        options.MaxRetries = 0;
        options.Headers.Add(new("X-Mock-Fault", "status=429"));

        var report = await ConformanceRunner.RunAsync(options).WaitAsync(Guard);

        AssertReported(report);
        report.Checks.Single(c => c.Id == "completion.shape").Message.Should().Be("the request was answered HTTP 429");
        var retry = report.Checks.Single(c => c.Id == "errors.retry-after");
        retry.Verdict.Should().Be(Verdict.Fail);
        retry.Message.Should().Contain("HTTP 429 came without a usable Retry-After");
        retry.Evidence!.Excerpt.Should().Contain("rate_limit_exceeded");
    }

    [Theory]
    [InlineData("stall_before=1;ms=", 5_000, true)] // the mock holds frame 1
    [InlineData("stall_before=1;ms=", 20_000, false)]
    [InlineData("slow_first_byte=", 3_000, true)] // the mock holds the whole response, status line included
    [InlineData("slow_first_byte=", 15_000, false)]
    public async Task A_wait_shorter_than_the_request_timeout_passes_and_a_longer_one_is_a_timeout(string fault, int waitMs, bool passes)
    {
        // One clock for both sides: the mock waits on it and the suite times out on it, so only the test moves time.
        var clock = new ObservedClock();
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key }, TimeProvider = clock });
        var options = MockOptions(server, "stream.json-per-event"); // one streaming request
        options.TimeProvider = clock;
        options.RequestTimeout = TimeSpan.FromSeconds(10);
        options.RunTimeout = TimeSpan.FromHours(1);
        options.StreamHeaders.Add(new("X-Mock-Fault", fault + waitMs.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var wait = TimeSpan.FromMilliseconds(waitMs);

        var run = ConformanceRunner.RunAsync(options);
        await clock.TimerCreated(wait).WaitAsync(Guard);
        run.IsCompleted.Should().BeFalse("the answer is held until the clock moves");
        clock.Fake.Advance(passes ? wait : options.RequestTimeout);
        var report = await run.WaitAsync(Guard);

        AssertReported(report);
        var check = report.Checks.Single();
        if (passes)
        {
            check.Verdict.Should().Be(Verdict.Pass, check.Message);
            report.DurationMs.Should().Be(waitMs, "the answer went on when the wait ended on the shared clock");
        }
        else
        {
            check.Verdict.Should().Be(Verdict.Fail);
            check.Message.Should().Contain("did not answer in time");
            check.Evidence!.Excerpt.Should().Contain("no complete response within 10s");
        }
    }

    [Fact]
    public async Task The_CLI_reports_a_fault_with_exit_code_1_not_a_crash()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });

        var (code, stdout, stderr) = await CliRunner.RunAsync(
            ["--base-url", server.BaseUrl.ToString(), "--api-key", Suite.Key, "--only", "stream.not-truncated", "--quiet", "--stream-header", "X-Mock-Fault: disconnect_after=3"]).WaitAsync(Guard);

        code.Should().Be(1, stderr);
        stdout.Should().Contain("stream.not-truncated").And.Contain("truncated");
        stderr.Should().BeEmpty();
    }

    private static ConformanceOptions MockOptions(MockLlmServer server, params string[] only)
    {
        var options = Suite.Options(server.BaseUrl, only);
        options.Model = "llama-8b";
        return options;
    }

    /// <summary>A report came back whole: every selected check judged, none by a check that threw.</summary>
    private static void AssertReported(ConformanceReport report)
    {
        report.Checks.Should().NotBeEmpty();
        report.Checks.Select(c => c.Message).Should().NotContain(m => m.Contains("could not be evaluated", StringComparison.Ordinal));
        report.Succeeded.Should().Be(report.Checks.All(c => c.Verdict is Verdict.Pass or Verdict.NotApplicable or Verdict.Warn));
    }
}
