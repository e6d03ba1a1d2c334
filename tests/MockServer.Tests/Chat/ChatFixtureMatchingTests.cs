using MockServer.Chat;
using MockServer.Fixtures;

namespace MockServer.Tests.Chat;

/// <summary>Chat fixtures: each match criterion, and which fixture answers when several could.</summary>
public sealed class ChatFixtureMatchingTests
{
    private const string Models = """
        {"models":[
          {"id":"chat-a","root":"r","chat_template":"chatml"},
          {"id":"chat-b","root":"r","chat_template":"llama3"}]}
        """;

    [Theory]
    [InlineData("""{"user":"Hello there"}""", "Hello there", true)]
    [InlineData("""{"user":"Hello there"}""", "Hello there!", false)]
    [InlineData("""{"user_prefix":"Hello"}""", "Hello there", true)]
    [InlineData("""{"user_prefix":"Hello"}""", "Oh, Hello", false)]
    [InlineData("""{"user_contains":"there"}""", "Hello there, you", true)]
    [InlineData("""{"user_contains":"there"}""", "Hello you", false)]
    [InlineData("""{"user_regex":"^[A-Z][a-z]+ t.*e$"}""", "Hello there", true)]
    [InlineData("""{"user_regex":"^[A-Z][a-z]+ t.*e$"}""", "hello there", false)]
    [InlineData("""{"model":"chat-a"}""", "anything", true)]
    [InlineData("""{"model":"chat-b"}""", "anything", false)]
    [InlineData("""{"system":"Be brief."}""", "Hi", true)]
    [InlineData("""{"system":"Be long."}""", "Hi", false)]
    [InlineData("""{"turn":2}""", "Hi", true)]
    [InlineData("""{"turn":1}""", "Hi", false)]
    public async Task Each_criterion_is_compared_with_the_conversation(string match, string lastUser, bool expected)
    {
        var set = await Load($$"""{"chat":[{"match":{{match}},"tokens":["x"]}]}""");
        ChatMessage[] conversation = [new("system", "Be brief."), new("user", "First"), new("assistant", "Ok"), new("user", lastUser)];

        (set.MatchChat("chat-a", conversation) is not null).Should().Be(expected);
    }

    [Fact]
    public async Task The_last_user_message_is_matched_even_after_a_tool_result()
    {
        var set = await Load("""{"chat":[{"match":{"user":"Weather?"},"tokens":["Sunny"]}]}""");
        ChatMessage[] conversation =
        [
            new("user", "Weather?"),
            new("assistant", null) { ToolCalls = [new ToolCallSpec("call_1", "weather", "{}")] },
            new("tool", "18C") { ToolCallId = "call_1" },
        ];

        set.MatchChat("chat-a", conversation).Should().NotBeNull();
        set.MatchChat("chat-a", [new("system", "Weather?")]).Should().BeNull("a conversation without a user message has no last user message");
    }

    [Fact]
    public async Task Developer_message_counts_as_the_system_message()
    {
        var set = await Load("""{"chat":[{"match":{"system":"Be brief."},"tokens":["x"]}]}""");

        set.MatchChat("chat-a", [new("developer", "Be brief."), new("user", "Hi")]).Should().NotBeNull();
    }

    [Fact]
    public async Task Exact_wins_over_prefix_over_contains_over_regex_over_any_whatever_the_file_order()
    {
        var set = await Load("""
            {"chat":[
              {"name":"any","match":{},"tokens":["x"]},
              {"name":"regex","match":{"user_regex":"Hello"},"tokens":["x"]},
              {"name":"contains","match":{"user_contains":"Hello"},"tokens":["x"]},
              {"name":"prefix-short","match":{"user_prefix":"He"},"tokens":["x"]},
              {"name":"prefix-long","match":{"user_prefix":"Hello"},"tokens":["x"]},
              {"name":"exact","match":{"user":"Hello there"},"tokens":["x"]}]}
            """);

        set.Chats.Select(c => c.Name).Should().Equal("exact", "prefix-long", "prefix-short", "contains", "regex", "any");
        set.MatchChat("chat-a", [new("user", "Hello there")])!.Name.Should().Be("exact");
        set.MatchChat("chat-a", [new("user", "Hello you")])!.Name.Should().Be("prefix-long");
        set.MatchChat("chat-a", [new("user", "Oh Hello")])!.Name.Should().Be("contains");
        set.MatchChat("chat-a", [new("user", "Bye")])!.Name.Should().Be("any");
    }

    [Fact]
    public async Task A_fixture_that_also_pins_the_turn_or_system_wins_over_one_that_does_not()
    {
        var set = await Load("""
            {"chat":[
              {"name":"plain","match":{"user":"Again"},"tokens":["x"]},
              {"name":"second-turn","match":{"user":"Again","turn":2},"tokens":["y"]}]}
            """);

        set.MatchChat("chat-a", [new("user", "Hi"), new("assistant", "Hello"), new("user", "Again")])!.Name.Should().Be("second-turn");
        set.MatchChat("chat-a", [new("user", "Again")])!.Name.Should().Be("plain");
    }

    [Fact]
    public async Task Code_fixtures_win_over_files_and_files_are_tried_in_order_within_a_kind()
    {
        var folder = Directory.CreateTempSubdirectory("mock-chat-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder, "a.json"), Models);
            await File.WriteAllTextAsync(Path.Combine(folder, "b.json"), """{"chat":[{"name":"file-1","match":{"user":"Hi"},"tokens":["x"]},{"name":"file-2","match":{"user":"Hi"},"tokens":["y"]}]}""");

            var fromFiles = await FixtureLoader.LoadAsync(includeDefaults: false, folder, []);
            var withCode = await FixtureLoader.LoadAsync(includeDefaults: false, folder, [FixtureDocument.Chat("Hi", ["z"])]);

            fromFiles.MatchChat("chat-a", [new("user", "Hi")])!.Name.Should().Be("file-1");
            withCode.MatchChat("chat-a", [new("user", "Hi")])!.Tokens.Single().Text.Should().Be("z");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task A_model_restricted_fixture_answers_only_that_model()
    {
        var set = await Load("""{"chat":[{"match":{"model":"chat-b","user":"Hi"},"tokens":["x"]}]}""");

        set.MatchChat("chat-a", [new("user", "Hi")]).Should().BeNull();
        set.MatchChat("chat-b", [new("user", "Hi")]).Should().NotBeNull();
    }

    [Fact]
    public async Task Tool_call_fixtures_carry_names_and_arguments_as_json_text()
    {
        var set = await Load("""
            {"chat":[{"match":{"user":"Weather?"},"tool_calls":[
              {"name":"weather","arguments":{ "city" : "Paris", "days": [1, 2] }},
              {"name":"time","arguments":"{\"zone\": \"CET\"}"}]}]}
            """);

        var fixture = set.MatchChat("chat-a", [new("user", "Weather?")])!;

        fixture.Tokens.Should().BeEmpty();
        fixture.ToolCalls.Should().Equal(new ScriptedToolCall("weather", """{"city":"Paris","days":[1,2]}"""), new ScriptedToolCall("time", """{"zone": "CET"}"""));
    }

    [Fact]
    public async Task Code_helpers_build_chat_fixtures_that_load_and_match()
    {
        var set = await FixtureLoader.LoadAsync(false, null,
        [
            new FixtureDocument("models", Models),
            FixtureDocument.Chat("Hi", ["Hello", "!"], model: "chat-a"),
            FixtureDocument.ChatToolCall("Weather?", "weather", """{"city":"Paris"}"""),
        ]);

        set.MatchChat("chat-a", [new("user", "Hi")])!.Tokens.Select(t => t.Text).Should().Equal("Hello", "!");
        set.MatchChat("chat-b", [new("user", "Hi")]).Should().BeNull();
        set.MatchChat("chat-b", [new("user", "Weather?")])!.ToolCalls.Should().Equal(new ScriptedToolCall("weather", """{"city":"Paris"}"""));
    }

    private static Task<FixtureSet> Load(string chat) =>
        FixtureLoader.LoadAsync(includeDefaults: false, directory: null, [new FixtureDocument("models.json", Models), new FixtureDocument("chat.json", chat)]);
}
