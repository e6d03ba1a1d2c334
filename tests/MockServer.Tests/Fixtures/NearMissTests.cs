using MockServer.Chat;
using MockServer.Fixtures;

namespace MockServer.Tests.Fixtures;

/// <summary>
/// Near misses (issue 9): when no fixture matches, the closest fixtures are named with each criterion that failed,
/// where two texts part, and in an order that puts the fixture a user most likely meant first.
/// </summary>
public sealed class NearMissTests
{
    internal const string Models = """
        {"models":[
          {"id":"base-a","root":"r"},
          {"id":"base-b","root":"r"},
          {"id":"chat-a","root":"r","chat_template":"chatml"},
          {"id":"chat-b","root":"r","chat_template":"llama3"}]}
        """;

    [Fact]
    public async Task A_fixture_for_another_model_names_both_models()
    {
        var set = await Completions("""{"name":"ping","match":{"model":"base-b","prompt":"ping"},"tokens":["x"]}""");

        var miss = set.ExplainCompletion("base-a", "ping").Should().ContainSingle().Subject;

        miss.Fixture.Should().Be("ping");
        miss.Reasons.Should().Equal("model differs: the fixture is for 'base-b', the request is for 'base-a'");
        miss.ToString().Should().Be("fixture 'ping' (completions.json $.completions[0]): model differs: the fixture is for 'base-b', the request is for 'base-a'");
    }

    [Fact]
    public async Task An_exact_prompt_names_the_character_where_they_part_with_both_texts_around_it_escaped()
    {
        var set = await Completions("""{"name":"q","match":{"prompt":"Question:\nWhat is the capital of France?\nAnswer:"},"tokens":["x"]}""");

        var miss = set.ExplainCompletion("base-a", "Question:\nWhat is the capital of Germany?\nAnswer:").Single();

        // Character 33 (from 0) is the F of France; 16 characters either side, an ellipsis where cut, the line break as \n.
        miss.Reasons.Should().Equal("prompt differs at character 33: fixture …\" the capital of France?\\nAnswer:\", request …\" the capital of Germany?\\nAnswer:\"");
    }

    [Theory]
    [InlineData("Once upon", "prompt differs at character 9 (the request's ends there): fixture \"Once upon a time\", request \"Once upon\"")]
    [InlineData("Once upon a time there", "prompt differs at character 16 (the fixture's ends there): fixture \"Once upon a time\", request \"Once upon a time there\"")]
    public async Task An_exact_prompt_says_which_text_ends_where_one_is_a_prefix_of_the_other(string prompt, string reason)
    {
        var set = await Completions("""{"match":{"prompt":"Once upon a time"},"tokens":["x"]}""");

        set.ExplainCompletion("base-a", prompt).Single().Reasons.Should().Equal(reason);
    }

    [Fact]
    public async Task A_prefix_that_the_prompt_does_not_start_with_is_explained()
    {
        var set = await Completions("""{"match":{"prompt_prefix":"Translate to French:"},"tokens":["x"]}""");

        set.ExplainCompletion("base-a", "Translate to German: cat").Single().Reasons.Should().Equal(
            "prompt does not start with the fixture's prompt_prefix: they differ at character 13: prefix \"Translate to French:\", request \"Translate to German: cat\"");
        set.ExplainCompletion("base-a", "Translate").Single().Reasons.Single().Should().Contain("at character 9 (the request's ends there)");
    }

    [Fact]
    public async Task A_regex_that_did_not_match_is_quoted()
    {
        var set = await Completions("""{"match":{"prompt_regex":"^\\d+ \\+ \\d+ =$"},"tokens":["x"]}""");

        set.ExplainCompletion("base-a", "two plus two =").Single().Reasons.Should().Equal("prompt does not match the fixture's prompt_regex \"^\\\\d+ \\\\+ \\\\d+ =$\"");
    }

    [Fact]
    public async Task Every_failed_criterion_is_named()
    {
        var set = await Completions("""{"match":{"model":"base-b","prompt":"ping"},"tokens":["x"]}""");

        set.ExplainCompletion("base-a", "pong").Single().Reasons.Should().HaveCount(2)
            .And.Contain(r => r.StartsWith("model differs", StringComparison.Ordinal))
            .And.Contain(r => r.StartsWith("prompt differs at character 1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_closest_three_are_kept_fewest_failures_then_longest_agreement_then_this_model()
    {
        var set = await Completions(
            """{"name":"unrelated","match":{"prompt":"Something else entirely"},"tokens":["x"]}""",
            """{"name":"other-model-same-prompt","match":{"model":"base-b","prompt":"The capital of France is"},"tokens":["x"]}""",
            """{"name":"other-model-other-prompt","match":{"model":"base-b","prompt":"Zzz"},"tokens":["x"]}""",
            """{"name":"close-prompt","match":{"prompt":"The capital of Spain is"},"tokens":["x"]}""",
            """{"name":"closer-prompt","match":{"prompt":"The capital of Franc"},"tokens":["x"]}""");

        var misses = set.ExplainCompletion("base-a", "The capital of France is");

        // A fixture off only by its model, with this very prompt, is the likeliest meant; then prompts by how far they agree.
        misses.Select(m => m.Fixture).Should().Equal("other-model-same-prompt", "closer-prompt", "close-prompt");
    }

    [Fact]
    public async Task With_equal_agreement_a_fixture_for_this_model_comes_first()
    {
        var set = await Completions(
            """{"name":"other-model","match":{"model":"base-b","prompt_prefix":"Hel"},"tokens":["x"]}""",
            """{"name":"this-model","match":{"model":"base-a","prompt":"Help me"},"tokens":["x"]}""");

        set.ExplainCompletion("base-a", "Hello").Select(m => m.Fixture).Should().Equal("this-model", "other-model");
    }

    [Fact]
    public async Task Nothing_to_compare_with_gives_no_near_misses()
    {
        var set = await FixtureLoader.LoadAsync(includeDefaults: false, directory: null, [new FixtureDocument("models.json", Models)]);

        set.ExplainCompletion("base-a", "anything").Should().BeEmpty();
        set.ExplainChat("chat-a", [new("user", "anything")]).Should().BeEmpty();
    }

    [Fact]
    public async Task The_chat_user_message_system_message_and_turn_are_explained()
    {
        var set = await Chats(
            """{"name":"user","match":{"user":"What is the weather in Paris?"},"tokens":["x"]}""",
            """{"name":"system","match":{"system":"You are terse.","user_prefix":"What"},"tokens":["x"]}""",
            """{"name":"turn","match":{"turn":2,"user_contains":"weather"},"tokens":["x"]}""");
        ChatMessage[] conversation = [new("system", "You are verbose."), new("user", "What is the weather in Rome?")];

        var misses = set.ExplainChat("chat-a", conversation).ToDictionary(m => m.Fixture, m => m.Reasons);

        misses["user"].Should().Equal("last user message differs at character 23: fixture …\" the weather in Paris?\", request …\" the weather in Rome?\"");
        misses["system"].Should().Equal("system message differs at character 8: fixture \"You are terse.\", request \"You are verbose.\"");
        misses["turn"].Should().Equal("turn differs: the fixture answers turn 2, the conversation has 1 user message");
    }

    [Theory]
    [InlineData("""{"user_prefix":"Weather"}""", "last user message does not start with the fixture's user_prefix: they differ at character 0: prefix \"Weather\", request \"How is the weath\"…")]
    [InlineData("""{"user_contains":"forecast"}""", "last user message does not contain the fixture's user_contains \"forecast\"")]
    [InlineData("""{"user_regex":"^Weather"}""", "last user message does not match the fixture's user_regex \"^Weather\"")]
    [InlineData("""{"system":"Be brief."}""", "the fixture needs the system message \"Be brief.\", the conversation has none")]
    [InlineData("""{"model":"chat-b"}""", "model differs: the fixture is for 'chat-b', the request is for 'chat-a'")]
    public async Task Each_chat_criterion_is_named(string match, string reason)
    {
        var set = await Chats($$"""{"match":{{match}},"tokens":["x"]}""");

        set.ExplainChat("chat-a", [new("user", "How is the weather?")]).Single().Reasons.Should().Equal(reason);
    }

    [Fact]
    public async Task A_chat_fixture_the_request_cannot_use_gives_the_endpoints_reason()
    {
        var set = await Chats("""{"name":"calls","match":{"user":"Weather?"},"tool_calls":[{"name":"weather","arguments":{}}]}""");

        var miss = set.ExplainChat("chat-a", [new("user", "Weather?")], _ => "no tools").Single();

        miss.Reasons.Should().Equal("no tools");
        set.ExplainChat("chat-a", [new("user", "Weather?")], _ => null).Should().BeEmpty("a fixture the request may use is a match, not a miss");
    }

    [Fact]
    public void Excerpts_never_split_a_surrogate_pair_and_escape_control_characters()
    {
        var text = new string('a', 15) + "😀" + "b\u0001" + new string('c', 20);

        // 16 characters from 0 would end between the emoji's halves, 16 before 32 start between them: both take it whole.
        NearMisses.Excerpt(text, 0).Should().Be("\"" + new string('a', 15) + "😀\"…");
        NearMisses.Excerpt(text, 32).Should().Be("…\"😀b\\u0001" + new string('c', 20) + "\"");
        NearMisses.Excerpt(text, 17).Should().Be("…\"" + new string('a', 14) + "😀b\\u0001" + new string('c', 14) + "\"…");
    }

    /// <summary>
    /// The explanation restates the match rules; this keeps the two from drifting: over many prompts, a fixture is a near
    /// miss (with at least one reason) exactly when it does not match.
    /// </summary>
    [Fact]
    public async Task A_fixture_is_explained_exactly_when_it_does_not_match()
    {
        var set = await Completions(
            """{"match":{"prompt":"ab"},"tokens":["x"]}""",
            """{"match":{"model":"base-b","prompt":"ab"},"tokens":["x"]}""",
            """{"match":{"prompt_prefix":"a"},"tokens":["x"]}""",
            """{"match":{"prompt_prefix":"ba"},"tokens":["x"]}""",
            """{"match":{"prompt_regex":"b$"},"tokens":["x"]}""");
        var chats = await Chats(
            """{"match":{"user":"ab"},"tokens":["x"]}""",
            """{"match":{"user_prefix":"a","system":"ab"},"tokens":["x"]}""",
            """{"match":{"user_contains":"ba","turn":2},"tokens":["x"]}""",
            """{"match":{"user_regex":"^b","model":"chat-b"},"tokens":["x"]}""",
            """{"match":{},"tool_calls":[{"name":"f","arguments":{}}]}""");
        string[] texts = ["", "a", "b", "ab", "ba", "abb", "bab", "aab"];

        foreach (var model in new[] { "base-a", "base-b" })
        {
            foreach (var prompt in texts)
            {
                foreach (var fixture in set.Completions)
                {
                    var explained = NearMisses.ForCompletion([fixture], model, prompt);
                    (explained.Count == 0).Should().Be(fixture.Matches(model, prompt), $"{fixture.Location} on '{prompt}' for {model}");
                    explained.SelectMany(m => m.Reasons).Should().NotContain(string.Empty);
                }
            }
        }

        Func<ChatFixture, string?> unusable = f => f.ToolCalls.Count > 0 ? "calls" : null;
        foreach (var model in new[] { "chat-a", "chat-b" })
        {
            foreach (var user in texts)
            {
                foreach (var system in new[] { "ab", "b" })
                {
                    ChatMessage[] oneTurn = [new("system", system), new("user", user)];
                    ChatMessage[] twoTurns = [new("user", "x"), new("assistant", "y"), new("user", user)];
                    foreach (var conversation in new[] { oneTurn, twoTurns })
                    {
                        foreach (var fixture in chats.Chats)
                        {
                            var explained = NearMisses.ForChat([fixture], model, conversation, unusable);
                            (explained.Count == 0).Should().Be(fixture.Matches(model, conversation) && unusable(fixture) is null, $"{fixture.Location} on '{user}' for {model}");
                        }
                    }
                }
            }
        }
    }

    internal static Task<FixtureSet> Completions(params string[] fixtures) =>
        FixtureLoader.LoadAsync(includeDefaults: false, directory: null,
            [new FixtureDocument("models.json", Models), new FixtureDocument("completions.json", $$"""{"completions":[{{string.Join(",", fixtures)}}]}""")]);

    internal static Task<FixtureSet> Chats(params string[] fixtures) =>
        FixtureLoader.LoadAsync(includeDefaults: false, directory: null,
            [new FixtureDocument("models.json", Models), new FixtureDocument("chat.json", $$"""{"chat":[{{string.Join(",", fixtures)}}]}""")]);
}
