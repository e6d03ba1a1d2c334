using MockServer.Journal;

namespace MockServer.Tests.Journal;

/// <summary>
/// The client verdicts (issue 9, "Client verification") over journal entries built by hand: for each rule a client
/// that follows it and one that does not, and the cases that must not be confused (another session, a changed
/// request, a request repeated after a success, a stream the server itself cut).
/// </summary>
public sealed class ClientVerificationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static JournalEntry Entry(long sequence, double seconds, int status, string? hash = "h1", int? retryAfter = null, string? session = null,
        string path = "/v1/chat/completions") => new()
        {
            Sequence = sequence,
            Time = T0.AddSeconds(seconds),
            Method = "POST",
            Path = path,
            Status = status,
            RequestHash = hash,
            RetryAfterSeconds = retryAfter,
            Session = session,
            Duration = TimeSpan.Zero,
        };

    private static JournalEntry Streamed(long sequence, int frames, bool done, bool leftEarly, string? fault = null, int status = 200) =>
        Entry(sequence, sequence, status, hash: $"s{sequence}") with { Stream = true, Frames = frames, Done = done, LeftEarly = leftEarly, Fault = fault };

    private static IReadOnlyList<ClientFinding> Verify(params JournalEntry[] entries) => ClientVerification.Verify(entries).Findings;

    [Theory]
    [InlineData(429, 2, 2.0)]
    [InlineData(429, 2, 7.5)]
    [InlineData(503, 30, 30.001)]
    public void A_retry_no_sooner_than_Retry_After_passes_with_the_measured_gap(int status, int retryAfter, double gap)
    {
        var findings = Verify(Entry(1, 10, status, retryAfter: retryAfter), Entry(2, 10 + gap, 200));

        var finding = findings.Should().ContainSingle().Which;
        finding.Should().BeEquivalentTo(new { Rule = "waited-retry-after", Passed = true, Sequence = 1L, FollowUp = 2L });
        finding.GapSeconds.Should().BeApproximately(gap, 1e-6);
        finding.Message.Should().Contain($"{status} with Retry-After: {retryAfter}").And.Contain("request 2").And.Contain("no sooner than");
    }

    [Theory]
    [InlineData(429, 2, 0.0)]
    [InlineData(429, 2, 1.999)]
    [InlineData(503, 5, 4.0)]
    public void A_retry_sooner_than_Retry_After_fails_with_the_measured_gap(int status, int retryAfter, double gap)
    {
        var report = ClientVerification.Verify([Entry(1, 10, status, retryAfter: retryAfter), Entry(2, 10 + gap, 200)]);

        report.Passed.Should().BeFalse();
        var finding = report.Findings.Should().ContainSingle().Which;
        finding.Should().BeEquivalentTo(new { Rule = "waited-retry-after", Passed = false, Sequence = 1L, FollowUp = 2L });
        finding.GapSeconds.Should().BeApproximately(gap, 1e-6);
        finding.Message.Should().Contain($"sooner than the {retryAfter} s asked");
    }

    [Fact]
    public void Each_refusal_in_a_chain_is_judged_against_its_own_retry()
    {
        // 429 (wait 2) -> retried after 2 s -> 429 (wait 3) -> retried after 1 s -> 200.
        var findings = Verify(Entry(1, 0, 429, retryAfter: 2), Entry(2, 2, 429, retryAfter: 3), Entry(3, 3, 200));

        findings.Select(f => (f.Sequence, f.Passed, f.FollowUp)).Should().Equal((1L, true, 2L), (2L, false, 3L));
    }

    [Fact]
    public void A_refusal_that_was_never_retried_passes_and_one_without_Retry_After_is_not_judged()
    {
        var findings = Verify(Entry(1, 0, 429, retryAfter: 2), Entry(2, 0, 503, hash: "h2"), Entry(3, 0.1, 503, hash: "h2"));

        findings.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Rule = "waited-retry-after", Passed = true, Sequence = 1L, FollowUp = (long?)null });
    }

    [Fact]
    public void A_request_from_another_session_or_with_another_body_is_not_a_retry()
    {
        var findings = Verify(
            Entry(1, 0, 429, retryAfter: 5, session: "a"),
            Entry(2, 0.1, 200, session: "b"),
            Entry(3, 0.2, 200, hash: "other", session: "a"),
            Entry(4, 6, 200, session: "a"));

        findings.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Passed = true, Sequence = 1L, FollowUp = 4L });
    }

    [Fact]
    public void Interleaved_clients_are_each_matched_to_their_own_retry()
    {
        var findings = Verify(
            Entry(1, 0, 429, hash: "a", retryAfter: 2),
            Entry(2, 0, 429, hash: "b", retryAfter: 2),
            Entry(3, 0.5, 200, hash: "b"),
            Entry(4, 2.5, 200, hash: "a"));

        findings.Select(f => (f.Sequence, f.Passed, f.FollowUp)).Should().BeEquivalentTo([(1L, true, (long?)4L), (2L, false, (long?)3L)]);
    }

    [Fact]
    public void Entries_given_out_of_order_are_judged_in_arrival_order()
    {
        // A long stream is added when it ends, after later requests; the sequence is what orders them.
        var findings = Verify(Entry(3, 9, 200), Entry(1, 0, 429, retryAfter: 2), Entry(2, 1, 429, retryAfter: 2));

        findings.Select(f => (f.Sequence, f.Passed, f.FollowUp)).Should().Equal((1L, false, 2L), (2L, true, 3L));
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    public void Sending_a_hopeless_request_again_unchanged_fails(int status)
    {
        var report = ClientVerification.Verify([Entry(1, 0, status), Entry(2, 60, status)]);

        report.Passed.Should().BeFalse();
        report.Failures.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Rule = "no-retry-of-hopeless", Sequence = 1L, FollowUp = 2L });
        report.Failures[0].Message.Should().Contain($"The {status} was sent again unchanged as request 2");
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(404)]
    public void Changing_a_hopeless_request_before_sending_it_again_passes(int status)
    {
        var report = ClientVerification.Verify([Entry(1, 0, status), Entry(2, 0.1, 200, hash: "fixed")]);

        report.Passed.Should().BeTrue();
        report.Findings.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Rule = "no-retry-of-hopeless", Passed = true, Sequence = 1L });
    }

    [Theory]
    [InlineData(200)]
    [InlineData(422)]
    [InlineData(500)]
    public void Repeating_a_request_that_was_not_hopeless_is_not_judged(int status)
    {
        Verify(Entry(1, 0, status), Entry(2, 0, status), Entry(3, 0, 200)).Should().BeEmpty();
    }

    [Fact]
    public void A_hopeless_request_repeated_by_another_session_does_not_count_against_the_first()
    {
        var findings = Verify(Entry(1, 0, 400, session: "a"), Entry(2, 1, 400, session: "b"));

        findings.Should().HaveCount(2).And.OnlyContain(f => f.Passed);
    }

    [Fact]
    public void A_stream_read_to_DONE_passes()
    {
        Verify(Streamed(1, frames: 7, done: true, leftEarly: false)).Should().ContainSingle()
            .Which.Should().BeEquivalentTo(new { Rule = "read-to-done", Passed = true, Sequence = 1L });
    }

    [Fact]
    public void A_stream_left_early_fails_with_the_frames_received()
    {
        var finding = Verify(Streamed(1, frames: 3, done: false, leftEarly: true)).Should().ContainSingle().Which;

        finding.Should().BeEquivalentTo(new { Rule = "read-to-done", Passed = false, Sequence = 1L });
        finding.Message.Should().Contain("left the stream early, after 3 frames and before [DONE]");
    }

    [Fact]
    public void A_stream_without_DONE_fails_even_when_the_client_did_not_leave()
    {
        Verify(Streamed(1, frames: 4, done: false, leftEarly: false)).Should().ContainSingle().Which.Passed.Should().BeFalse();
        Verify(Streamed(1, frames: 5, done: true, leftEarly: true)).Should().ContainSingle().Which.Passed.Should().BeFalse();
    }

    [Theory]
    [InlineData("disconnect_after=2")]
    [InlineData("reset_after=1")]
    [InlineData("malformed_at=3")]
    public void A_stream_the_server_cut_or_broke_is_not_held_against_the_client(string fault)
    {
        Verify(Streamed(1, frames: 2, done: false, leftEarly: true, fault: fault)).Should().BeEmpty();
    }

    [Fact]
    public void A_stream_with_a_fault_that_does_not_cut_it_is_still_judged()
    {
        Verify(Streamed(1, frames: 2, done: false, leftEarly: true, fault: "stall_before=2;ms=100")).Should().ContainSingle().Which.Passed.Should().BeFalse();
        Verify(Streamed(1, frames: 4, done: true, leftEarly: false, fault: "error_after=2")).Should().ContainSingle().Which.Passed.Should().BeTrue();
    }

    [Fact]
    public void Answers_that_were_not_streamed_200s_are_not_stream_verdicts()
    {
        Verify(Entry(1, 0, 200), Streamed(2, frames: 0, done: false, leftEarly: true, status: 500)).Should().BeEmpty();
    }

    [Fact]
    public void Entries_without_a_request_hash_are_not_judged_for_retries()
    {
        Verify(Entry(1, 0, 429, hash: null, retryAfter: 2), Entry(2, 0, 429, hash: null, retryAfter: 2), Entry(3, 0, 400, hash: null), Entry(4, 0, 400, hash: null))
            .Should().BeEmpty();
    }

    [Fact]
    public void Admin_requests_are_the_test_not_the_client_and_are_not_judged()
    {
        Verify(Entry(1, 0, 400, path: "/admin/journal/verify"), Entry(2, 0, 400, path: "/admin/journal/verify")).Should().BeEmpty();
    }

    [Fact]
    public void A_filter_chooses_the_entries_judged_while_retries_are_found_among_all()
    {
        JournalEntry[] entries =
        [
            Entry(1, 0, 429, retryAfter: 2) with { Model = "m" },
            Entry(2, 0.5, 200) with { Model = "m" },
            Entry(3, 1, 400, hash: "h3") with { Model = "other" },
            Entry(4, 1, 400, hash: "h3") with { Model = "other" },
        ];

        var refused = ClientVerification.Verify(entries, new JournalFilter(Status: 429)).Findings;
        refused.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Rule = "waited-retry-after", Passed = false, FollowUp = 2L }, "the 200 retry is outside the filter but still the retry");
        ClientVerification.Verify(entries, new JournalFilter(Model: "other")).Findings.Select(f => (f.Sequence, f.Passed)).Should().Equal((3L, false), (4L, true));
        ClientVerification.Verify(entries, new JournalFilter(Session: "nobody")).Findings.Should().BeEmpty();
    }

    [Fact]
    public void An_empty_journal_passes_with_no_findings()
    {
        var report = ClientVerification.Verify([]);

        report.Passed.Should().BeTrue();
        report.Findings.Should().BeEmpty();
    }
}
