using System.Text.Json;
using MockServer.Chat;
using MockServer.Dialects;
using MockServer.Fixtures;
using MockServer.Generation;
using NJsonSchema;
using static MockServer.Tests.Chat.ChatResponseHarness;

namespace MockServer.Tests.Chat;

/// <summary>Tool calls: made when tool_choice demands, arguments valid against the schema, streamed as OpenAI does (issue 7).</summary>
public sealed class ToolCallTests
{
    private const string WeatherSchema = """
        {"type":"object","properties":{
          "city":{"type":"string","minLength":2},
          "unit":{"type":"string","enum":["celsius","fahrenheit"]},
          "days":{"type":"integer","minimum":1,"maximum":7},
          "hours":{"type":"array","items":{"type":"integer","minimum":0,"maximum":23},"minItems":1,"maxItems":4}},
         "required":["city","unit","days","hours"],"additionalProperties":false}
        """;

    private static readonly ToolDefinition Weather = Tool("get_weather", WeatherSchema);
    private static readonly ToolDefinition Time = Tool("get_time", """{"type":"object","properties":{"zone":{"type":"string"}},"required":["zone"]}""");

    private static ChatRequest Named(Dialect dialect, int maxTokens = 200, long seed = 3) =>
        Request(dialect, "What is the weather in Paris?", maxTokens, seed) with
        {
            Tools = [Time, Weather],
            ToolChoice = ToolChoiceMode.Named,
            ToolChoiceName = "get_weather",
        };

    [Fact]
    public async Task A_named_tool_choice_calls_that_tool_with_arguments_valid_against_its_schema()
    {
        var request = Named(Dialects.Dialects.OpenAi);

        var body = await CompleteAsync(request);

        var choice = body.GetProperty("choices")[0];
        choice.GetProperty("finish_reason").GetString().Should().Be("tool_calls");
        var message = choice.GetProperty("message");
        message.GetProperty("content").ValueKind.Should().Be(JsonValueKind.Null, "a turn of tool calls only has no content");
        message.GetProperty("refusal").ValueKind.Should().Be(JsonValueKind.Null);
        var call = message.GetProperty("tool_calls").EnumerateArray().Should().ContainSingle().Subject;
        call.GetProperty("id").GetString().Should().MatchRegex("^call_[0-9a-f]{16}$");
        call.GetProperty("type").GetString().Should().Be("function");
        call.GetProperty("function").GetProperty("name").GetString().Should().Be("get_weather");
        var arguments = call.GetProperty("function").GetProperty("arguments").GetString()!;
        (await JsonSchema.FromJsonAsync(WeatherSchema)).Validate(arguments).Should().BeEmpty(arguments);

        // The arguments are generated tokens: usage counts them, plus the end-of-text that closed the turn.
        body.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(Tokenizer.TokenizePrompt(arguments).Count - 1 + 1);
    }

    [Theory]
    [InlineData("openai")]
    [InlineData("llmbase")]
    public async Task Streamed_tool_call_names_the_call_once_then_streams_argument_fragments_equal_to_the_non_streamed_ones(string name)
    {
        var request = Named(Dialects.Dialects.Find(name)!);

        var body = await CompleteAsync(request);
        var transcript = await StreamAsync(request);

        var expected = body.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0];
        var choices = transcript.ChoiceChunks();
        var fragments = choices.Where(c => c.GetProperty("delta").TryGetProperty("tool_calls", out _))
            .Select(c => c.GetProperty("delta").GetProperty("tool_calls").EnumerateArray().Should().ContainSingle().Subject).ToList();
        fragments.Should().HaveCountGreaterThan(2);
        fragments.Should().OnlyContain(f => f.GetProperty("index").GetInt32() == 0);
        var first = fragments[0];
        first.GetProperty("id").GetString().Should().Be(expected.GetProperty("id").GetString());
        first.GetProperty("type").GetString().Should().Be("function");
        first.GetProperty("function").GetProperty("name").GetString().Should().Be("get_weather");
        first.GetProperty("function").GetProperty("arguments").GetString().Should().BeEmpty();
        fragments.Skip(1).Should().OnlyContain(f => f.EnumerateObject().Select(p => p.Name).SequenceEqual(new[] { "index", "function" }));
        fragments.Skip(1).Should().OnlyContain(f => f.GetProperty("function").EnumerateObject().Select(p => p.Name).SequenceEqual(new[] { "arguments" }));
        var streamed = string.Concat(fragments.Select(f => f.GetProperty("function").GetProperty("arguments").GetString()));
        streamed.Should().Be(expected.GetProperty("function").GetProperty("arguments").GetString());
        (await JsonSchema.FromJsonAsync(WeatherSchema)).Validate(streamed).Should().BeEmpty();
        choices.Select(c => c.GetProperty("delta")).Where(d => d.TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 }).Should().BeEmpty("a tool-call turn has no content");
        choices[^1].GetProperty("finish_reason").GetString().Should().Be("tool_calls");
        choices.Count(c => c.GetProperty("finish_reason").ValueKind == JsonValueKind.String).Should().Be(1);
    }

    [Fact]
    public async Task Required_picks_one_of_the_tools_deterministically_for_a_seed()
    {
        var picks = new HashSet<string>();
        for (var seed = 0; seed < 12; seed++)
        {
            var request = Named(Dialects.Dialects.OpenAi, seed: seed) with { ToolChoice = ToolChoiceMode.Required, ToolChoiceName = null };
            var (_, _, first) = await RespondAsync(request);
            var (_, _, again) = await RespondAsync(request);
            again.Should().Be(first);
            var call = JsonDocument.Parse(first).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0];
            picks.Add(call.GetProperty("function").GetProperty("name").GetString()!);
        }

        picks.Should().BeEquivalentTo(["get_time", "get_weather"], "the seed chooses among the tools");
    }

    [Fact]
    public async Task Auto_and_none_answer_with_text()
    {
        foreach (var mode in new[] { ToolChoiceMode.Auto, ToolChoiceMode.None })
        {
            var body = await CompleteAsync(Named(Dialects.Dialects.OpenAi, maxTokens: 8) with { ToolChoice = mode, ToolChoiceName = null });

            var message = body.GetProperty("choices")[0].GetProperty("message");
            message.TryGetProperty("tool_calls", out _).Should().BeFalse();
            message.GetProperty("content").GetString().Should().NotBeNullOrEmpty();
        }
    }

    [Theory]
    [InlineData("required")]
    [InlineData("named")]
    public async Task A_forced_tool_choice_calls_again_after_a_tool_result(string mode)
    {
        // OpenAI: required / a named function force a call on every turn; only auto may answer a tool result with text.
        var request = AfterToolResult(mode == "named" ? ToolChoiceMode.Named : ToolChoiceMode.Required);

        var body = await CompleteAsync(request);

        var choice = body.GetProperty("choices")[0];
        choice.GetProperty("finish_reason").GetString().Should().Be("tool_calls");
        var call = choice.GetProperty("message").GetProperty("tool_calls").EnumerateArray().Should().ContainSingle().Subject;
        call.GetProperty("function").GetProperty("name").GetString().Should().Be("get_weather");
        var arguments = call.GetProperty("function").GetProperty("arguments").GetString()!;
        (await JsonSchema.FromJsonAsync(WeatherSchema)).Validate(arguments).Should().BeEmpty(arguments);
    }

    [Fact]
    public async Task Auto_answers_a_tool_result_with_text()
    {
        var body = await CompleteAsync(AfterToolResult(ToolChoiceMode.Auto) with { MaxTokens = 8 });

        var choice = body.GetProperty("choices")[0];
        choice.GetProperty("message").TryGetProperty("tool_calls", out _).Should().BeFalse();
        choice.GetProperty("message").GetProperty("content").GetString().Should().NotBeNullOrEmpty();
        choice.GetProperty("finish_reason").GetString().Should().Be("length");
    }

    private static ChatRequest AfterToolResult(ToolChoiceMode mode)
    {
        ChatMessage[] messages =
        [
            new("user", "What is the weather in Paris?"),
            new("assistant", null) { ToolCalls = [new ToolCallSpec("call_1", "get_weather", """{"city":"Paris"}""")] },
            new("tool", "sunny, 21C") { ToolCallId = "call_1" },
        ];
        return Request(Dialects.Dialects.OpenAi, maxTokens: 200, messages: messages) with
        {
            Tools = [Weather],
            ToolChoice = mode,
            ToolChoiceName = mode == ToolChoiceMode.Named ? "get_weather" : null,
        };
    }

    [Fact]
    public async Task A_stop_string_that_cuts_the_arguments_finishes_with_stop_not_tool_calls()
    {
        var full = (await CompleteAsync(Named(Dialects.Dialects.OpenAi))).GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!;
        var request = Named(Dialects.Dialects.OpenAi) with { Stop = ["\"days\""] };

        var body = await CompleteAsync(request);
        var transcript = await StreamAsync(request);

        var choice = body.GetProperty("choices")[0];
        choice.GetProperty("finish_reason").GetString().Should().Be("stop", "the arguments are cut: running them as a complete call would be wrong");
        var cut = choice.GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!;
        full.Should().Contain("\"days\"").And.StartWith(cut);
        cut.Should().NotContain("\"days\"");
        transcript.ChoiceChunks().Last().GetProperty("finish_reason").GetString().Should().Be("stop");
    }

    [Fact]
    public async Task Each_of_n_choices_makes_its_own_call_and_the_same_seed_gives_the_same_bytes()
    {
        var request = Named(Dialects.Dialects.OpenAi) with { N = 3 };

        var (_, _, first) = await RespondAsync(request);
        var (_, _, again) = await RespondAsync(request);

        again.Should().Be(first);
        var validator = await JsonSchema.FromJsonAsync(WeatherSchema);
        var arguments = JsonDocument.Parse(first).RootElement.GetProperty("choices").EnumerateArray()
            .Select(c => c.GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!).ToList();
        arguments.Should().HaveCount(3).And.OnlyHaveUniqueItems("each choice is its own sample");
        arguments.Should().OnlyContain(a => validator.Validate(a).Count == 0);
    }

    [Fact]
    public async Task Each_of_n_choices_gets_its_own_structured_output()
    {
        const string schema = """{"type":"object","properties":{"name":{"type":"string"},"age":{"type":"integer","minimum":0,"maximum":120}},"required":["name","age"],"additionalProperties":false}""";
        foreach (var (kind, text) in new[] { (ResponseFormatKind.JsonSchema, schema), (ResponseFormatKind.JsonObject, (string?)null) })
        {
            var request = Request(Dialects.Dialects.OpenAi, maxTokens: 200) with
            {
                N = 3,
                ResponseFormat = kind,
                ResponseSchema = text is null ? null : JsonDocument.Parse(text).RootElement.Clone(),
            };

            var (_, _, first) = await RespondAsync(request);
            var (_, _, again) = await RespondAsync(request);

            again.Should().Be(first);
            var contents = JsonDocument.Parse(first).RootElement.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("message").GetProperty("content").GetString()!).ToList();
            contents.Should().HaveCount(3).And.OnlyHaveUniqueItems($"{kind}: each choice is its own sample");
            contents.Should().OnlyContain(c => JsonDocument.Parse(c, default).RootElement.ValueKind == JsonValueKind.Object);
            if (text is not null)
            {
                var validator = await JsonSchema.FromJsonAsync(text);
                contents.Should().OnlyContain(c => validator.Validate(c).Count == 0);
            }
        }
    }

    [Fact]
    public async Task A_fixture_whose_calls_the_request_does_not_allow_does_not_match()
    {
        // First in order: a call of a function the request never declares; then one of get_time; then content.
        ChatFixture[] fixtures =
        [
            new("undeclared", "test", null, [], [new ScriptedToolCall("send_mail", """{"to":"a@b.c"}""")], false),
            new("time", "test", null, [], [new ScriptedToolCall("get_time", """{"zone":"UTC"}""")], false),
            new("text", "test", null, [new FixtureToken("Scripted", null, null), new FixtureToken(" answer", null, null)], [], false),
        ];

        async Task<JsonElement> Message(ChatRequest request)
        {
            var (status, _, body) = await RespondAsync(request, fixtures);
            status.Should().Be(200, body);
            return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").Clone();
        }

        static string? Called(JsonElement message) => message.TryGetProperty("tool_calls", out var calls) ? calls[0].GetProperty("function").GetProperty("name").GetString() : null;

        var auto = Named(Dialects.Dialects.OpenAi) with { ToolChoice = ToolChoiceMode.Auto, ToolChoiceName = null };
        Called(await Message(auto)).Should().Be("get_time", "send_mail is not among the request's tools, so that fixture is passed over");
        Called(await Message(Named(Dialects.Dialects.OpenAi))).Should().BeNull("tool_choice names get_weather, so neither call fixture fits; the text fixture answers");
        (await Message(Named(Dialects.Dialects.OpenAi))).GetProperty("content").GetString().Should().Be("Scripted answer", "a text fixture wins even over a forced tool_choice");
        (await Message(auto with { ToolChoice = ToolChoiceMode.None })).GetProperty("content").GetString().Should().Be("Scripted answer");
        Called(await Message(auto with { Tools = [Weather] })).Should().BeNull("get_time is not declared either");
    }

    [Fact]
    public async Task Max_tokens_cuts_the_arguments_with_finish_length()
    {
        var full = (await CompleteAsync(Named(Dialects.Dialects.OpenAi))).GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!;

        var body = await CompleteAsync(Named(Dialects.Dialects.OpenAi, maxTokens: 4));

        var choice = body.GetProperty("choices")[0];
        choice.GetProperty("finish_reason").GetString().Should().Be("length");
        var cut = choice.GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!;
        full.Should().StartWith(cut);
        cut.Length.Should().BeLessThan(full.Length);
        body.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(4);
    }

    [Fact]
    public void A_fixture_scripting_several_calls_makes_each_its_own_call_in_order()
    {
        var fixture = new ChatFixture("two-calls", "test", null, [], [new ScriptedToolCall("get_time", """{"zone":"UTC"}"""), new ScriptedToolCall("get_weather", """{"city":"Rome","unit":"celsius"}""")], false);
        var request = Named(Dialects.Dialects.OpenAi) with { ToolChoice = ToolChoiceMode.Auto, ToolChoiceName = null };

        var plan = ChatScriptPlan.For(request, fixture, Tokenizer, 9, SchemaBudget.Unbounded);
        var engine = new CompletionEngine(new SyntheticModel(Tokenizer.Vocabulary));
        var result = engine.Run(new GenerationRequest { Model = request.Model, Prompts = [request.Prompt], MaxTokens = 100, Sampling = new(), Script = (_, _, _) => plan.Script }, 1);
        var output = ChatChoiceOutput.From(result.Choices[0], plan, 9);

        output.FinishReason.Should().Be("tool_calls");
        output.Content.Should().BeNull();
        output.ToolCalls.Select(c => (c.Name, c.Arguments)).Should().Equal(("get_time", """{"zone":"UTC"}"""), ("get_weather", """{"city":"Rome","unit":"celsius"}"""));
        output.ToolCalls.Select(c => c.Id).Distinct().Should().HaveCount(2);

        // Only one call when the request turned parallel calls off.
        ChatScriptPlan.For(request with { ParallelToolCalls = false }, fixture, Tokenizer, 9, SchemaBudget.Unbounded).Calls.Should().ContainSingle();
    }
}
