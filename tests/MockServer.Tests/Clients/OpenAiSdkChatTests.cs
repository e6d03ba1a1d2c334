using System.ClientModel;
using System.Text;
using System.Text.Json;
using MockServer.Tests.TestUtils;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Models;

// Seed is marked experimental in the SDK (OPENAI001); seeded requests are how the tests compare two answers.
#pragma warning disable OPENAI001

namespace MockServer.Tests.Clients;

/// <summary>
/// The official OpenAI .NET SDK (2.15), unmodified, against the mock's chat endpoint: what a .NET team's client code
/// sees. Each answer is compared with the raw wire answer to the same seeded request, so the SDK is shown to read
/// what the mock meant, not merely not to throw.
/// </summary>
public sealed class OpenAiSdkChatTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private const string InstructModel = "llama-8b-instruct";
    private const string DocsModel = "deepseek/deepseek-v4-flash";

    private ChatClient Chat(string model) =>
        new(model, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = server.BaseUrl });

    [Theory]
    [InlineData(InstructModel)]
    [InlineData(DocsModel)]
    public async Task Non_streamed_answer_is_the_wire_answer(string model)
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 12, Seed = 11, Temperature = 0.8f };
        ChatCompletion completion = await Chat(model).CompleteChatAsync([new UserChatMessage("Tell me about rivers.")], options);

        var wire = await RawChatAsync(model, """{"role":"user","content":"Tell me about rivers."}""", 12, 11, "\"temperature\":0.8");
        var choice = wire.GetProperty("choices")[0];
        completion.Role.Should().Be(ChatMessageRole.Assistant);
        completion.Content.Should().ContainSingle().Which.Text.Should().Be(choice.GetProperty("message").GetProperty("content").GetString());
        completion.FinishReason.ToString().ToLowerInvariant().Should().Be(choice.GetProperty("finish_reason").GetString());
        completion.Usage.InputTokenCount.Should().Be(wire.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        completion.Usage.OutputTokenCount.Should().Be(wire.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        completion.Usage.TotalTokenCount.Should().Be(completion.Usage.InputTokenCount + completion.Usage.OutputTokenCount);
        completion.Id.Should().StartWith("chatcmpl-");
    }

    [Theory]
    [InlineData(InstructModel)]
    [InlineData(DocsModel)]
    public async Task Streamed_updates_fold_into_the_non_streamed_answer(string model)
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 12, Seed = 5 };
        var messages = new ChatMessage[] { new SystemChatMessage("Be brief."), new UserChatMessage("Name a colour.") };
        ChatCompletion whole = await Chat(model).CompleteChatAsync(messages, options);

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;
        var roles = 0;
        await foreach (var update in Chat(model).CompleteChatStreamingAsync(messages, options))
        {
            roles += update.Role is not null ? 1 : 0;
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        roles.Should().Be(1, "one role chunk per choice");
        text.ToString().Should().Be(whole.Content[0].Text);
        finish.Should().Be(whole.FinishReason);
        usage.Should().NotBeNull("the SDK asks for usage and both dialects deliver it");
        usage!.OutputTokenCount.Should().Be(whole.Usage.OutputTokenCount);
        usage.InputTokenCount.Should().Be(whole.Usage.InputTokenCount);
    }

    [Fact]
    public async Task The_llmbase_docs_example_streams_as_documented_through_the_sdk()
    {
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in Chat(DocsModel).CompleteChatStreamingAsync([new UserChatMessage("Count to 5.")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        text.ToString().Should().StartWith("1");
        finish.Should().Be(ChatFinishReason.Stop);
        (usage!.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount).Should().Be((10, 9, 19));
    }

    [Theory]
    [InlineData(InstructModel)]
    [InlineData(DocsModel)]
    public async Task A_named_tool_choice_gets_a_call_with_arguments_valid_for_the_schema(string model)
    {
        var options = ToolOptions();
        ChatCompletion completion = await Chat(model).CompleteChatAsync([new UserChatMessage("What is the weather in Oslo?")], options);

        completion.FinishReason.Should().Be(ChatFinishReason.ToolCalls);
        var call = completion.ToolCalls.Should().ContainSingle().Subject;
        call.Kind.Should().Be(ChatToolCallKind.Function);
        call.FunctionName.Should().Be("get_weather");
        call.Id.Should().NotBeNullOrEmpty();
        AssertWeatherArguments(call.FunctionArguments.ToString());

        // Streamed: the id and name arrive once, the argument fragments concatenate to the same JSON.
        var arguments = new StringBuilder();
        var ids = new List<string>();
        var names = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in Chat(model).CompleteChatStreamingAsync([new UserChatMessage("What is the weather in Oslo?")], options))
        {
            foreach (var fragment in update.ToolCallUpdates)
            {
                fragment.Index.Should().Be(0);
                if (fragment.ToolCallId is { } id)
                {
                    ids.Add(id);
                }

                if (fragment.FunctionName is { } name)
                {
                    names.Add(name);
                }

                arguments.Append(fragment.FunctionArgumentsUpdate?.ToString());
            }

            finish ??= update.FinishReason;
        }

        ids.Should().ContainSingle();
        names.Should().Equal("get_weather");
        arguments.ToString().Should().Be(call.FunctionArguments.ToString());
        finish.Should().Be(ChatFinishReason.ToolCalls);
    }

    [Fact]
    public async Task A_tool_result_turn_continues_with_text()
    {
        var options = ToolOptions();
        var question = new UserChatMessage("What is the weather in Oslo?");
        ChatCompletion call = await Chat(InstructModel).CompleteChatAsync([question], options);
        var toolCall = call.ToolCalls.Single();

        options.ToolChoice = ChatToolChoice.CreateAutoChoice();
        ChatCompletion answer = await Chat(InstructModel).CompleteChatAsync(
            [question, new AssistantChatMessage(call.ToolCalls), new ToolChatMessage(toolCall.Id, """{"sky":"clear"}""")], options);

        answer.FinishReason.Should().NotBe(ChatFinishReason.ToolCalls);
        answer.ToolCalls.Should().BeEmpty();
        answer.Content.Should().ContainSingle().Which.Text.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Logprobs_reach_the_sdk_with_alternatives_and_bytes()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 6, Seed = 3, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 };
        ChatCompletion completion = await Chat(InstructModel).CompleteChatAsync([new UserChatMessage("Say something.")], options);

        var positions = completion.ContentTokenLogProbabilities;
        positions.Should().NotBeEmpty();
        string.Concat(positions.Select(p => p.Token)).Should().Be(completion.Content[0].Text);
        foreach (var position in positions)
        {
            position.LogProbability.Should().BeLessThanOrEqualTo(0);
            position.Utf8Bytes.Should().NotBeNull();
            position.Utf8Bytes!.Value.ToArray().Should().Equal(Encoding.UTF8.GetBytes(position.Token));
            position.TopLogProbabilities.Should().HaveCountLessThanOrEqualTo(3).And.NotBeEmpty();
            position.TopLogProbabilities.Select(t => t.LogProbability).Should().BeInDescendingOrder();
        }
    }

    [Theory]
    [InlineData(InstructModel)]
    [InlineData(DocsModel)]
    public async Task GetModelAsync_finds_the_chat_models(string id)
    {
        var client = new OpenAIModelClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = server.BaseUrl });
        OpenAIModel model = await client.GetModelAsync(id);

        model.Id.Should().Be(id);
    }

    private static ChatCompletionOptions ToolOptions()
    {
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 64, Seed = 9 };
        options.Tools.Add(ChatTool.CreateFunctionTool(
            "get_weather",
            "The weather in a city",
            BinaryData.FromString("""
                {"type":"object","properties":{"city":{"type":"string"},"days":{"type":"integer","minimum":1,"maximum":7}},"required":["city","days"]}
                """)));
        options.ToolChoice = ChatToolChoice.CreateFunctionChoice("get_weather");
        return options;
    }

    private static void AssertWeatherArguments(string json)
    {
        using var arguments = JsonDocument.Parse(json);
        arguments.RootElement.GetProperty("city").ValueKind.Should().Be(JsonValueKind.String);
        arguments.RootElement.GetProperty("days").GetInt32().Should().BeInRange(1, 7);
    }

    private async Task<JsonElement> RawChatAsync(string model, string message, int maxTokens, int seed, string extra)
    {
        var body = $$"""{"model":"{{model}}","messages":[{{message}}],"max_completion_tokens":{{maxTokens}},"seed":{{seed}},{{extra}}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync("chat/completions", content);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
