using System.Text.Json;
using MockServer.Catalog;
using MockServer.Chat;
using MockServer.Fixtures;
using MockServer.Generation;
using MockServer.Tokenization;
using MockServer.Validation;

namespace MockServer.Tests.Chat;

/// <summary>The chat templates' exact text, and the seed chat example's usage computed through them.</summary>
public sealed class ChatTemplateTests
{
    private static readonly ChatMessage[] SystemAndUser = [new("system", "Be brief."), new("user", "Hi!")];

    [Fact]
    public void Llama3_renders_header_turns_and_ends_with_the_assistant_header()
    {
        ChatTemplates.Render(ChatTemplates.Llama3, SystemAndUser, []).Should().Be(
            "<|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n");
    }

    [Fact]
    public void ChatMl_renders_im_turns_and_ends_with_the_assistant_turn_open()
    {
        ChatTemplates.Render(ChatTemplates.ChatMl, SystemAndUser, []).Should().Be(
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n");
    }

    [Fact]
    public void DeepSeek_renders_user_and_assistant_lines_and_closes_assistant_turns_with_its_eos()
    {
        ChatMessage[] conversation = [.. SystemAndUser, new("assistant", "Hello."), new("user", "Count to 5.")];

        ChatTemplates.Render(ChatTemplates.DeepSeek, conversation, []).Should().Be(
            "Be brief.\n\nUser: Hi!\n\nAssistant: Hello.<｜end▁of▁sentence｜>User: Count to 5.\n\nAssistant:");
    }

    [Theory]
    [InlineData(ChatTemplates.Llama3)]
    [InlineData(ChatTemplates.ChatMl)]
    [InlineData(ChatTemplates.DeepSeek)]
    public void No_template_starts_with_a_beginning_of_text_token(string template)
    {
        // The parser tokenizes with TokenizePrompt, which prepends one: a second would double-count it.
        var text = ChatTemplates.Render(template, SystemAndUser, []);

        text.Should().NotContain(Vocabulary.BeginOfText).And.NotContain("<｜begin▁of▁sentence｜>");
    }

    [Fact]
    public void Developer_messages_render_as_system_turns()
    {
        ChatTemplates.Render(ChatTemplates.ChatMl, [new("developer", "Be brief."), new("user", "Hi!")], [])
            .Should().Be(ChatTemplates.Render(ChatTemplates.ChatMl, SystemAndUser, []));
    }

    [Fact]
    public void Tools_join_the_system_turn_and_calls_and_results_render_in_the_plain_form()
    {
        using var parameters = JsonDocument.Parse("""{"type":"object","properties":{"city":{"type":"string"}}}""");
        ToolDefinition[] tools = [new("get_weather", "Weather by city", parameters.RootElement.Clone())];
        ChatMessage[] conversation =
        [
            new("system", "Be brief."),
            new("user", "Weather in Paris?"),
            new("assistant", null) { ToolCalls = [new ToolCallSpec("call_1", "get_weather", """{"city":"Paris"}""")] },
            new("tool", "18C, sunny") { ToolCallId = "call_1" },
        ];

        ChatTemplates.Render(ChatTemplates.ChatMl, conversation, tools).Should().Be(
            "<|im_start|>system\nBe brief.\n\n# Tools\n"
            + """{"name":"get_weather","description":"Weather by city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}"""
            + "<|im_end|>\n"
            + "<|im_start|>user\nWeather in Paris?<|im_end|>\n"
            + """<|im_start|>assistant""" + "\n" + """<tool_call>{"name": "get_weather", "arguments": {"city":"Paris"}}</tool_call><|im_end|>""" + "\n"
            + "<|im_start|>tool\n18C, sunny<|im_end|>\n"
            + "<|im_start|>assistant\n");
    }

    [Fact]
    public void Tools_open_the_conversation_as_a_system_turn_when_there_is_none()
    {
        ToolDefinition[] tools = [new("now", null, null)];

        ChatTemplates.Render(ChatTemplates.Llama3, [new("user", "Time?")], tools).Should().StartWith(
            "<|start_header_id|>system<|end_header_id|>\n\n# Tools\n{\"name\":\"now\"}<|eot_id|><|start_header_id|>user");
    }

    [Fact]
    public void Known_lists_every_family_the_fixture_schema_accepts()
    {
        var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", "fixture.schema.json")));
        var allowed = schema.RootElement.GetProperty("definitions").GetProperty("model").GetProperty("properties")
            .GetProperty("chat_template").GetProperty("enum").EnumerateArray().Select(e => e.GetString()).ToList();

        allowed.Should().BeEquivalentTo(ChatTemplates.Known);
        foreach (var template in ChatTemplates.Known)
        {
            ChatTemplates.Render(template, SystemAndUser, []).Should().Contain("Hi!");
        }
    }

    [Fact]
    public void Unknown_template_is_refused()
    {
        var act = () => ChatTemplates.Render("jinja", SystemAndUser, []);

        act.Should().Throw<ArgumentException>().WithMessage("*'jinja'*chatml, deepseek, llama3*");
    }

    /// <summary>
    /// provider-docs/llmbase-chat-stream.txt: "Count to 5." on deepseek/deepseek-v4-flash has usage 10/9/19. Both counts
    /// are computed here as the server computes them: the prompt through the model's template and the tokenizer, the
    /// completion by the engine following the default fixture (its end-of-text token counts, as vLLM counts it).
    /// </summary>
    [Fact]
    public async Task The_seed_chat_example_counts_10_prompt_and_9_completion_tokens()
    {
        var fixtures = await FixtureLoader.LoadAsync(includeDefaults: true, directory: null, fromCode: []);
        var model = new ModelCatalog(fixtures.Models, startedAt: 0).Find("deepseek/deepseek-v4-flash")!;
        ChatMessage[] messages = [new("user", "Count to 5.")];
        var vocabulary = new Vocabulary();
        var prompt = ChatTemplates.Render(model.ChatTemplate!, messages, []);
        var tokens = new Tokenizer(vocabulary).TokenizePrompt(prompt);
        var fixture = fixtures.MatchChat(model.Id, messages)!;

        var result = new CompletionEngine(new SyntheticModel(vocabulary)).Run(
            new GenerationRequest
            {
                Model = model,
                Prompts = [new PromptInput(prompt, tokens)],
                MaxTokens = 1000,
                Seed = 1,
                Sampling = new SamplingParameters(),
                Script = (_, _, _) => fixture.Script,
            },
            entropy: 0);

        model.Dialect.Name.Should().Be("llmbase");
        result.PromptTokens.Should().Be(10);
        result.CompletionTokens.Should().Be(9);
        (result.PromptTokens + result.CompletionTokens).Should().Be(19);
        var choice = result.Choices.Single();
        choice.FinishReason.Should().Be("stop");
        choice.Tokens[0].Token.Text.Should().Be("1", "the docs' first content delta is \"1\"");
        choice.Text.Should().Be("1, 2, 3, 4, 5");
    }
}
