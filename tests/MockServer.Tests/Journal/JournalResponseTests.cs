using System.Text;
using MockServer.Tests.Budgets;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Journal;

/// <summary>
/// The response each journal entry keeps (issue 11, the workbench's journal detail): a JSON answer's body or a stream's
/// SSE text exactly as the client received it, bounded by <see cref="MockServer.Journal.RequestJournal.MaxResponseChars"/>;
/// shown by <c>GET /admin/journal/{sequence}</c> and never by the list.
/// </summary>
public sealed class JournalResponseTests
{
    [Fact]
    public async Task A_streams_entry_holds_the_frames_the_client_received()
    {
        await using var harness = await JournalHarness.StartAsync();
        using var response = await harness.V1().PostAsync("completions", JournalHarness.Json(JournalHarness.Count(stream: true)));
        var received = await response.Content.ReadAsStringAsync();
        var entry = (await harness.SettledAsync(1))[0];

        var detail = await Answer.SendAsync(harness.Root(), HttpMethod.Get, $"admin/journal/{entry.Sequence}");

        SseTranscript.Parse(received).Payloads.Should().HaveCount(entry.Frames, "the client read a whole stream");
        entry.Response.Should().Be(received);
        entry.ResponseTruncated.Should().BeFalse();
        detail.Status.Should().Be(200, detail.Body);
        detail.Json.GetProperty("sequence").GetInt64().Should().Be(entry.Sequence);
        detail.Json.GetProperty("response").GetString().Should().Be(received);
        detail.Json.GetProperty("response_truncated").GetBoolean().Should().BeFalse();
        detail.Json.GetProperty("body").GetString().Should().Be(JournalHarness.Count(stream: true), "the detail is the whole entry");
    }

    [Fact]
    public async Task A_faulted_streams_entry_holds_the_broken_frame_as_sent()
    {
        await using var harness = await JournalHarness.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = JournalHarness.Json(JournalHarness.Count(stream: true)) };
        request.Headers.Add("X-Mock-Fault", "malformed_at=2");
        using var response = await harness.V1().SendAsync(request);
        var received = await response.Content.ReadAsStringAsync();

        var entry = (await harness.SettledAsync(1))[0];

        received.Should().Contain("data: {not json\n\n");
        entry.Response.Should().Be(received);
    }

    [Fact]
    public async Task Each_json_answers_entry_holds_its_body_errors_too()
    {
        await using var harness = await JournalHarness.StartAsync();
        var chat = $$"""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"{{JournalHarness.Greeting}}"}]}""";
        var answer = await Answer.PostAsync(harness.V1(), "chat/completions", chat);
        var refused = await Answer.PostAsync(harness.V1(), "completions", """{"model":"llama-8b","prompt":"x","temperature":"hot"}""");
        var completion = await Answer.PostAsync(harness.V1(), "completions", JournalHarness.Count());
        var models = await Answer.SendAsync(harness.V1(), HttpMethod.Get, "models");
        var entries = await harness.SettledAsync(4);

        answer.Status.Should().Be(200);
        refused.Status.Should().Be(400);
        entries[0].Response.Should().Be(answer.Body);
        entries[1].Response.Should().Be(refused.Body);
        entries[2].Response.Should().Be(completion.Body);
        entries[3].Response.Should().Be(models.Body);
        var detail = await Answer.SendAsync(harness.Root(), HttpMethod.Get, $"admin/journal/{entries[1].Sequence}");
        detail.Json.GetProperty("response").GetString().Should().Be(refused.Body);
        detail.Json.GetProperty("status").GetInt32().Should().Be(400);
    }

    [Fact]
    public async Task A_head_requests_entry_holds_no_body_for_its_error_was_never_sent()
    {
        await using var harness = await JournalHarness.StartAsync();
        using var head = await harness.V1().SendAsync(new HttpRequestMessage(HttpMethod.Head, "no-such-route"));
        var entry = (await harness.SettledAsync(1))[0];

        head.StatusCode.Should().Be(System.Net.HttpStatusCode.NotFound);
        (await head.Content.ReadAsByteArrayAsync()).Should().BeEmpty();
        entry.Response.Should().BeNull("the journal keeps the response as sent, and a HEAD answer sends no body");
    }

    [Fact]
    public void Resetting_the_response_forgets_what_was_noted_so_a_replaced_answer_is_not_kept_with_its_replacement()
    {
        var scratch = new MockServer.Journal.JournalScratch();
        scratch.NoteSent("{\"half\":"u8);

        scratch.ResetResponse();
        scratch.NoteSent("{\"error\":{}}"u8);

        Encoding.UTF8.GetString(scratch.Response.Span).Should().Be("{\"error\":{}}");
        scratch.ResponseTotal.Should().Be(12);
        scratch.Release();
    }

    [Fact]
    public async Task The_list_leaves_the_responses_out()
    {
        await using var harness = await JournalHarness.StartAsync();
        (await harness.V1().PostAsync("completions", JournalHarness.Json(JournalHarness.Count()))).Dispose();
        await harness.SettledAsync(1);

        var list = await Answer.SendAsync(harness.Root(), HttpMethod.Get, "admin/journal");

        var entry = list.Json[0];
        entry.TryGetProperty("response", out _).Should().BeFalse();
        entry.TryGetProperty("response_truncated", out _).Should().BeFalse();
        entry.TryGetProperty("body", out _).Should().BeTrue();
    }

    [Fact]
    public async Task A_long_response_is_kept_to_its_first_characters_and_marked_cut()
    {
        await using var harness = await JournalHarness.StartAsync();
        var body = """{"model":"llama-8b","prompt":"Tell a very long story","max_tokens":2000,"stream":true}""";
        using var response = await harness.V1().PostAsync("completions", JournalHarness.Json(body));
        var received = await response.Content.ReadAsStringAsync();
        var entry = (await harness.SettledAsync(1))[0];

        received.Length.Should().BeGreaterThan(MockServer.Journal.RequestJournal.MaxResponseChars, "the test needs a response over the limit");
        entry.ResponseTruncated.Should().BeTrue();
        entry.Response.Should().Be(received[..MockServer.Journal.RequestJournal.MaxResponseChars]);
        var detail = await Answer.SendAsync(harness.Root(), HttpMethod.Get, $"admin/journal/{entry.Sequence}");
        detail.Json.GetProperty("response_truncated").GetBoolean().Should().BeTrue();
    }

    [Fact]
    public async Task An_entry_that_is_not_kept_is_a_404_and_a_sequence_that_is_not_a_number_a_400()
    {
        await using var harness = await JournalHarness.StartAsync();
        (await harness.V1().PostAsync("completions", JournalHarness.Json(JournalHarness.Count()))).Dispose();
        var entry = (await harness.SettledAsync(1))[0];
        var root = harness.Root();

        var kept = await Answer.SendAsync(root, HttpMethod.Get, $"admin/journal/{entry.Sequence}");
        var never = await Answer.SendAsync(root, HttpMethod.Get, "admin/journal/999");
        (await Answer.SendAsync(root, HttpMethod.Delete, "admin/journal")).Status.Should().Be(200);
        var cleared = await Answer.SendAsync(root, HttpMethod.Get, $"admin/journal/{entry.Sequence}");

        kept.Status.Should().Be(200);
        foreach (var gone in new[] { never, cleared })
        {
            gone.Status.Should().Be(404, gone.Body);
            gone.Error.GetProperty("code").GetString().Should().Be("journal_entry_not_found");
        }

        foreach (var bad in new[] { "abc", "-1", "1.5", "+1", "99999999999999999999" })
        {
            var answer = await Answer.SendAsync(root, HttpMethod.Get, $"admin/journal/{bad}");
            answer.Status.Should().Be(400, bad);
            answer.Error.GetProperty("param").GetString().Should().Be("sequence");
        }

        (await Answer.SendAsync(root, HttpMethod.Get, "admin/journal/verify")).Status.Should().Be(200, "verify is still its own route");
    }

    [Fact]
    public async Task The_admin_404_lists_the_detail_route()
    {
        await using var harness = await JournalHarness.StartAsync();

        var answer = await Answer.SendAsync(harness.Root(), HttpMethod.Get, "admin/nothing-here");

        answer.Status.Should().Be(404);
        answer.Error.GetProperty("message").GetString().Should().Contain("GET /admin/journal/{sequence}");
    }
}
