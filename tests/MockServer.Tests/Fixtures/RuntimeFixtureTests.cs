using MockServer.Fixtures;
using MockServer.Journal;

namespace MockServer.Tests.Fixtures;

/// <summary>
/// Fixtures added and removed while the server runs, in process (<c>server.Fixtures</c>), and the sessions that scope
/// them (issue 9, "Isolation for parallel tests"): a session's fixtures answer only its requests, global ones every
/// request, the files' last; removal takes effect at once; a bad document is refused whole, naming path and line.
/// </summary>
public sealed class RuntimeFixtureTests
{
    [Fact]
    public async Task An_added_fixture_answers_until_it_is_removed()
    {
        await using var server = await RuntimeServer.StartAsync();
        var v1 = server.V1();

        (await RuntimeServer.CompleteAsync(v1, "Added later")).Status.Should().Be(404, "no fixture matches yet, and strict mode is on");

        var added = server.Fixtures.Add(RuntimeServer.Completion("Added later", " at run time", name: "late"));
        var answered = await RuntimeServer.CompleteAsync(v1, "Added later");
        var streamed = await RuntimeServer.CompleteAsync(v1, "Added later", stream: true);
        var listed = server.Fixtures.List();
        var removed = server.Fixtures.Remove(added.Id);
        var afterRemoval = await RuntimeServer.CompleteAsync(v1, "Added later");

        answered.Should().Be((200, " at run time"));
        streamed.Should().Be((200, " at run time"));
        added.Session.Should().BeNull();
        added.Completions.Should().Equal("late");
        listed.Should().ContainSingle().Which.Id.Should().Be(added.Id);
        removed.Should().BeTrue();
        afterRemoval.Status.Should().Be(404);
        server.Fixtures.List().Should().BeEmpty();
        server.Fixtures.Remove(added.Id).Should().BeFalse("it is gone already");
        (await RuntimeServer.CompleteAsync(v1, RuntimeServer.FilePrompt)).Should().Be((200, RuntimeServer.FileAnswer), "the files' fixtures stay");
    }

    [Fact]
    public async Task Adding_beyond_the_limit_throws_adds_nothing_and_works_again_once_documents_are_removed()
    {
        await using var server = await RuntimeServer.StartAsync();
        server.Fixtures.Limit.Should().Be(RuntimeFixtures.MaxDocuments, "the server starts with the documented bound");
        server.Fixtures.Limit = 3; // the bound, scaled down: 10,000 adds would only make the test slow
        var first = server.Fixtures.Add(RuntimeServer.Completion("one", " 1"), "alpha");
        server.Fixtures.Add(RuntimeServer.Completion("two", " 2"), "beta");
        server.Fixtures.Add(RuntimeServer.Completion("three", " 3"));

        var beyond = () => server.Fixtures.Add(RuntimeServer.Completion("four", " 4"), "gamma");

        beyond.Should().Throw<FixtureLimitException>().WithMessage("*3 run-time fixture documents*limit*");
        server.Fixtures.List().Should().HaveCount(3, "every session's documents count, and the refused one was not added");
        (await RuntimeServer.CompleteAsync(server.V1("gamma"), "four")).Status.Should().Be(404);

        first.Dispose();
        server.Fixtures.Add(RuntimeServer.Completion("four", " 4"), "gamma");
        (await RuntimeServer.CompleteAsync(server.V1("gamma"), "four")).Should().Be((200, " 4"));
    }

    [Fact]
    public async Task Disposing_the_handle_removes_its_fixtures()
    {
        await using var server = await RuntimeServer.StartAsync();
        var v1 = server.V1();

        using (server.Fixtures.Add(RuntimeServer.Completion("Scoped to a block", " inside")))
        {
            (await RuntimeServer.CompleteAsync(v1, "Scoped to a block")).Should().Be((200, " inside"));
        }

        (await RuntimeServer.CompleteAsync(v1, "Scoped to a block")).Status.Should().Be(404);
    }

    [Fact]
    public async Task A_session_fixture_answers_only_requests_of_that_session()
    {
        await using var server = await RuntimeServer.StartAsync();

        var added = server.Fixtures.Add(RuntimeServer.Completion("Whose answer?", " alpha's", name: "alpha-answer"), session: "alpha");

        (await RuntimeServer.CompleteAsync(server.V1("alpha"), "Whose answer?")).Should().Be((200, " alpha's"));
        (await RuntimeServer.CompleteAsync(server.V1("beta"), "Whose answer?")).Status.Should().Be(404, "another session does not see it");
        (await RuntimeServer.CompleteAsync(server.V1(), "Whose answer?")).Status.Should().Be(404, "nor does a request without a session");
        added.Session.Should().Be("alpha");
        server.Fixtures.List("alpha").Should().ContainSingle();
        server.Fixtures.List("beta").Should().BeEmpty();
        (await server.EntriesAsync("alpha", 1)).Single().Fixture.Should().Be("alpha-answer");
    }

    [Fact]
    public async Task Chat_fixtures_are_scoped_by_session_too()
    {
        await using var server = await RuntimeServer.StartAsync();

        server.Fixtures.Add("""{"chat":[{"match":{"model":"chat-a","user":"Hi there"},"tokens":["Hello", " alpha"]}]}""", "alpha");

        (await RuntimeServer.ChatAsync(server.V1("alpha"), "Hi there")).Should().Be((200, "Hello alpha"));
        (await RuntimeServer.ChatAsync(server.V1("beta"), "Hi there")).Status.Should().Be(404);
    }

    [Fact]
    public async Task Parallel_sessions_sharing_a_server_get_their_own_answers_for_the_same_prompt()
    {
        await using var server = await RuntimeServer.StartAsync();
        var sessions = Enumerable.Range(0, 8).Select(i => $"test-{i}").ToArray();

        // Each "test" adds its own answer to the same prompt and asks it several times, all at once.
        var answers = await Task.WhenAll(sessions.Select(async session =>
        {
            using var handle = server.Fixtures.Add(RuntimeServer.Completion("Same prompt", $" {session}"), session);
            var v1 = server.V1(session);
            var texts = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                var (status, text) = await RuntimeServer.CompleteAsync(v1, "Same prompt", stream: i % 2 == 1);
                status.Should().Be(200, text);
                texts.Add(text);
            }

            return (session, texts);
        }));

        foreach (var (session, texts) in answers)
        {
            texts.Should().AllBe($" {session}", "a session sees its own fixture, never another session's");
        }

        server.Fixtures.List().Should().BeEmpty("each test removed its fixtures");
    }

    [Fact]
    public async Task A_session_fixture_overrides_a_global_one_which_overrides_the_files_and_newer_wins_within_a_scope()
    {
        await using var server = await RuntimeServer.StartAsync();
        var alpha = server.V1("alpha");
        var beta = server.V1("beta");
        var none = server.V1();

        var global = server.Fixtures.Add(RuntimeServer.Completion(RuntimeServer.FilePrompt, " global"));
        server.Fixtures.Add(RuntimeServer.Completion(RuntimeServer.FilePrompt, " alpha"), "alpha");

        (await RuntimeServer.CompleteAsync(alpha, RuntimeServer.FilePrompt)).Text.Should().Be(" alpha");
        (await RuntimeServer.CompleteAsync(beta, RuntimeServer.FilePrompt)).Text.Should().Be(" global");
        (await RuntimeServer.CompleteAsync(none, RuntimeServer.FilePrompt)).Text.Should().Be(" global");

        server.Fixtures.Add(RuntimeServer.Completion(RuntimeServer.FilePrompt, " alpha again"), "alpha");
        (await RuntimeServer.CompleteAsync(alpha, RuntimeServer.FilePrompt)).Text.Should().Be(" alpha again", "a newer document wins in its scope");

        global.Dispose();
        (await RuntimeServer.CompleteAsync(beta, RuntimeServer.FilePrompt)).Text.Should().Be(RuntimeServer.FileAnswer);
        (await RuntimeServer.CompleteAsync(alpha, RuntimeServer.FilePrompt)).Text.Should().Be(" alpha again");
    }

    [Fact]
    public async Task Clear_removes_one_sessions_fixtures_or_all_of_them()
    {
        await using var server = await RuntimeServer.StartAsync();
        server.Fixtures.Add(RuntimeServer.Completion("a", " a"), "alpha");
        server.Fixtures.Add(RuntimeServer.Completion("b", " b"), "alpha");
        server.Fixtures.Add(RuntimeServer.Completion("c", " c"), "beta");
        server.Fixtures.Add(RuntimeServer.Completion("d", " d"));

        server.Fixtures.Clear("alpha").Should().Be(2);
        (await RuntimeServer.CompleteAsync(server.V1("alpha"), "a")).Status.Should().Be(404);
        (await RuntimeServer.CompleteAsync(server.V1("beta"), "c")).Should().Be((200, " c"));
        server.Fixtures.List().Should().HaveCount(2);

        server.Fixtures.Clear().Should().Be(2);
        (await RuntimeServer.CompleteAsync(server.V1("beta"), "c")).Status.Should().Be(404);
        (await RuntimeServer.CompleteAsync(server.V1(), "d")).Status.Should().Be(404);
        (await RuntimeServer.CompleteAsync(server.V1(), RuntimeServer.FilePrompt)).Status.Should().Be(200, "clearing never removes the files' fixtures");
    }

    public static TheoryData<string, string> BadDocuments => new()
    {
        { "{\"completions\": [\n  {\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"]},\n  {\"match\": {\"prompt\": \"bad\"}, \"tokens\": \"not a list\"}\n]}", "at $.completions[1].tokens: it must be an array, not 'not a list' (line 3" },
        { "{\"completions\": [{\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"]}],\n \"chat\": [{\"match\": {\"model\": \"base-a\", \"user\": \"x\"}, \"tokens\": [\"y\"]}]}", "at $.chat[0].match.model: 'base-a' has no chat_template" },
        { "{\"completions\": [\n {\"match\": {\"model\": \"gpt-9\", \"prompt\": \"good\"}, \"tokens\": [\"y\"]}]}", "at $.completions[0].match.model: 'gpt-9' is not declared under \"models\" in the server's fixture files (a run-time document cannot declare models). Served: base-a, base-b, chat-a, chat-b (line 2" },
        { "{\"models\": [{\"id\": \"new-model\", \"root\": \"r\"}],\n \"completions\": [{\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"]}]}", "at $.models: a document added at run time cannot declare models" },
        { "{\"completions\": [{\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"]},\n {\"match\": {\"prompt_regex\": \"(unclosed\"}, \"tokens\": [\"y\"]}]}", "unusable regular expression at $.completions[1].match.prompt_regex (line 2" },
        { "{\"completions\": [{\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"]}],\n \"chat\": []", "is not valid JSON at line 2" },
        { "{\"completions\": []}", "at $: the document holds no fixtures" },
        { "{\"completions\": [{\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"], \"colour\": \"red\"}]}", "at $.completions[0].colour: property 'colour' is not allowed (line 1" },
    };

    [Theory]
    [MemberData(nameof(BadDocuments))]
    public async Task A_bad_document_is_refused_whole_naming_path_and_line(string document, string expected)
    {
        await using var server = await RuntimeServer.StartAsync();
        var kept = server.Fixtures.Add(RuntimeServer.Completion("kept", " kept"));

        var act = () => server.Fixtures.Add(document, "alpha");

        act.Should().Throw<FixtureLoadException>().Which.Message.Should().Contain(expected);
        server.Fixtures.List().Should().ContainSingle().Which.Id.Should().Be(kept.Id, "nothing was added");
        (await RuntimeServer.CompleteAsync(server.V1("alpha"), "good")).Status.Should().Be(404, "not even the document's valid fixtures");
        (await RuntimeServer.CompleteAsync(server.V1("alpha"), "kept")).Should().Be((200, " kept"));
        server.Fixtures.Add(RuntimeServer.Completion("next", " next")).Id.Should().Be("fx-2", "a refused document takes no id");
    }

    [Fact]
    public async Task A_session_is_a_non_empty_string()
    {
        await using var server = await RuntimeServer.StartAsync();

        var act = () => server.Fixtures.Add(RuntimeServer.Completion("x", " y"), "");

        act.Should().Throw<ArgumentException>().WithParameterName("session");
    }

    [Fact]
    public async Task Near_misses_name_only_the_fixtures_the_request_could_see()
    {
        await using var server = await RuntimeServer.StartAsync();
        server.Fixtures.Add(RuntimeServer.Completion("Alpha only", " secret", name: "alpha-secret"), "alpha");

        var beta = await RuntimeServer.CompleteAsync(server.V1("beta"), "Alpha onlx");
        var alpha = await RuntimeServer.CompleteAsync(server.V1("alpha"), "Alpha onlx");

        beta.Status.Should().Be(404);
        beta.Text.Should().Contain("fixture 'file-ping'").And.NotContain("alpha-secret").And.NotContain("Alpha only");
        alpha.Status.Should().Be(404);
        alpha.Text.Should().Contain("(1) fixture 'alpha-secret' (fx-1 $.completions[0]): prompt differs at character 9");
        var betaEntry = (await server.EntriesAsync("beta", 1)).Single();
        betaEntry.NearMisses.Should().NotBeEmpty().And.NotContain(m => m.Contains("alpha-secret", StringComparison.Ordinal));
        (await server.EntriesAsync("alpha", 1)).Single().NearMisses[0].Should().StartWith("fixture 'alpha-secret'");
    }

    [Fact]
    public async Task Adds_and_removals_while_requests_run_never_break_a_request()
    {
        await using var server = await RuntimeServer.StartAsync();
        using var steady = server.Fixtures.Add(RuntimeServer.Completion("Steady", " steady"), "steady");
        var churn = server.V1("churn");
        var stable = server.V1("steady");
        using var stop = new CancellationTokenSource();

        var churning = Task.Run(() =>
        {
            var rounds = 0;
            while (!stop.IsCancellationRequested || rounds < 20)
            {
                using (server.Fixtures.Add(RuntimeServer.Completion("Churn", " churned"), "churn"))
                using (server.Fixtures.Add(RuntimeServer.Completion("Other", " other")))
                {
                    rounds++;
                }
            }

            return rounds;
        });

        var results = new List<(int Status, string Text)>();
        for (var i = 0; i < 30; i++)
        {
            results.Add(await RuntimeServer.CompleteAsync(churn, "Churn", stream: i % 2 == 0));
            (await RuntimeServer.CompleteAsync(stable, "Steady")).Should().Be((200, " steady"), "a session's fixture is unaffected by other sessions' changes");
        }

        await stop.CancelAsync();
        (await churning).Should().BeGreaterThanOrEqualTo(20);

        results.Should().OnlyContain(r => r.Status == 200 && r.Text == " churned" || r.Status == 404 && r.Text.StartsWith("No fixture matches", StringComparison.Ordinal),
            "a request sees the fixture or not, never half of a change");
        server.Fixtures.List().Should().ContainSingle().Which.Session.Should().Be("steady");
    }
}
