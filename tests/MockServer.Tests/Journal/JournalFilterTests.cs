using MockServer.Journal;

namespace MockServer.Tests.Journal;

/// <summary>
/// Reading and clearing the journal in process (<c>server.Journal</c>): bounded with the newest kept, oldest first,
/// filtered by path, model, status and session, and cleared by the same filters; sessions keep parallel tests apart.
/// </summary>
public sealed class JournalFilterTests
{
    [Fact]
    public async Task A_full_journal_keeps_the_newest_entries_oldest_first()
    {
        await using var harness = await JournalHarness.StartAsync(o => o.JournalCapacity = 3);
        var sent = Enumerable.Range(1, 5).Select(i => $$"""{"model":"llama-8b","prompt":"request {{i}}","max_tokens":1}""").ToArray();

        for (var i = 0; i < sent.Length; i++)
        {
            // One session per request, so each is waited for by itself before the next is sent.
            using var response = await harness.V1(session: $"s{i}").PostAsync("completions", JournalHarness.Json(sent[i]));
            await harness.SettledAsync(1, new JournalFilter(Session: $"s{i}"));
        }

        var entries = harness.Journal.Entries();
        entries.Select(e => e.Sequence).Should().Equal(3, 4, 5);
        entries.Select(e => e.Body).Should().Equal(sent[2..]);
    }

    [Fact]
    public async Task A_journal_of_capacity_zero_records_nothing()
    {
        await using var harness = await JournalHarness.StartAsync(o => o.JournalCapacity = 0);

        using (var response = await harness.V1().PostAsync("completions", JournalHarness.Json(JournalHarness.Count())))
        {
            ((int)response.StatusCode).Should().Be(200);
        }

        harness.Journal.Entries().Should().BeEmpty();
    }

    [Fact]
    public async Task Filters_select_by_path_model_status_and_session_and_clear_removes_only_what_they_match()
    {
        await using var harness = await JournalHarness.StartAsync();
        await SendMixAsync(harness);
        await harness.SettledAsync(5);

        harness.Journal.Entries(new JournalFilter(Path: "/v1/models")).Should().ContainSingle().Which.Method.Should().Be("GET");
        harness.Journal.Entries(new JournalFilter(Path: "/V1/COMPLETIONS")).Should().HaveCount(3, "paths compare as routing does, ignoring case");
        harness.Journal.Entries(new JournalFilter(Model: "llama-8b-instruct")).Should().ContainSingle().Which.Path.Should().Be("/v1/chat/completions");
        harness.Journal.Entries(new JournalFilter(Status: 404)).Should().ContainSingle().Which.Model.Should().Be("missing-model");
        harness.Journal.Entries(new JournalFilter(Session: "alpha")).Should().HaveCount(2);
        harness.Journal.Entries(new JournalFilter(Path: "/v1/completions", Status: 200)).Should().HaveCount(2);

        harness.Journal.Clear(new JournalFilter(Status: 200, Session: "alpha")).Should().Be(2);

        harness.Journal.Entries().Should().HaveCount(3);
        harness.Journal.Entries(new JournalFilter(Session: "alpha")).Should().BeEmpty();
        harness.Journal.Clear().Should().Be(3);
        harness.Journal.Entries().Should().BeEmpty();
    }

    [Fact]
    public async Task Two_sessions_sharing_a_server_each_see_only_their_own_requests()
    {
        await using var harness = await JournalHarness.StartAsync();
        var red = harness.V1(session: "red");
        var blue = harness.V1(session: "blue");

        await Task.WhenAll(
            Enumerable.Range(0, 4).Select(async i =>
            {
                using var response = await (i % 2 == 0 ? red : blue).PostAsync("completions", JournalHarness.Json(JournalHarness.Count()));
            }));
        await harness.SettledAsync(4);

        var redEntries = harness.Journal.Entries(new JournalFilter(Session: "red"));
        var blueEntries = harness.Journal.Entries(new JournalFilter(Session: "blue"));
        redEntries.Should().HaveCount(2).And.OnlyContain(e => e.Session == "red" && e.Headers["X-Mock-Session"] == "red");
        blueEntries.Should().HaveCount(2).And.OnlyContain(e => e.Session == "blue");
        redEntries.Select(e => e.Sequence).Should().BeInAscendingOrder();

        harness.Journal.Clear(new JournalFilter(Session: "red")).Should().Be(2);
        harness.Journal.Entries(new JournalFilter(Session: "blue")).Should().HaveCount(2, "clearing one session leaves the other's entries");
    }

    /// <summary>
    /// Five requests: a completion (alpha), a chat (alpha), a completion of an unknown model (404, beta), a models
    /// list (no session), and a completion with no session.
    /// </summary>
    internal static async Task SendMixAsync(JournalHarness harness)
    {
        var alpha = harness.V1(session: "alpha");
        var beta = harness.V1(session: "beta");
        var none = harness.V1();
        (await alpha.PostAsync("completions", JournalHarness.Json(JournalHarness.Count()))).Dispose();
        (await alpha.PostAsync("chat/completions", JournalHarness.Json("""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Greet the journal"}]}"""))).Dispose();
        (await beta.PostAsync("completions", JournalHarness.Json("""{"model":"missing-model","prompt":"x"}"""))).Dispose();
        (await none.GetAsync("models")).Dispose();
        (await none.PostAsync("completions", JournalHarness.Json(JournalHarness.Count()))).Dispose();
    }
}
