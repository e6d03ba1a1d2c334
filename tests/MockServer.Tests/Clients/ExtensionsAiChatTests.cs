using System.ClientModel;
using Microsoft.Extensions.AI;
using MockServer.Tests.TestUtils;
using OpenAI;

namespace MockServer.Tests.Clients;

/// <summary>
/// Microsoft.Extensions.AI's <see cref="IChatClient"/> over <c>Microsoft.Extensions.AI.OpenAI</c>, unmodified, against
/// the mock: the abstraction most .NET agent code is written against.
/// </summary>
public sealed class ExtensionsAiChatTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private IChatClient Client(string model = "llama-8b-instruct") =>
        new OpenAIClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = server.BaseUrl })
            .GetChatClient(model)
            .AsIChatClient();

    [Theory]
    [InlineData("llama-8b-instruct")]
    [InlineData("deepseek/deepseek-v4-flash")]
    public async Task Streamed_updates_fold_into_the_non_streamed_response(string model)
    {
        using var client = Client(model);
        var options = new ChatOptions { MaxOutputTokens = 10, Seed = 21 };

        var whole = await client.GetResponseAsync("Describe a mountain.", options);
        var folded = await client.GetStreamingResponseAsync("Describe a mountain.", options).ToChatResponseAsync();

        whole.Text.Should().NotBeEmpty();
        folded.Text.Should().Be(whole.Text);
        folded.FinishReason.Should().Be(whole.FinishReason);
        whole.Usage!.OutputTokenCount.Should().BeInRange(1, 10);
        folded.Usage!.OutputTokenCount.Should().Be(whole.Usage.OutputTokenCount);
        folded.Usage.InputTokenCount.Should().Be(whole.Usage.InputTokenCount);
    }

    [Fact]
    public async Task A_function_invoking_client_calls_the_function_and_gets_a_text_answer()
    {
        var calls = new List<(string City, int Days)>();
        var weather = AIFunctionFactory.Create(
            (string city, int days) =>
            {
                calls.Add((city, days));
                return "clear skies";
            },
            "get_weather",
            "The weather in a city for a number of days");
        using var client = new ChatClientBuilder(Client()).UseFunctionInvocation().Build();

        var response = await client.GetResponseAsync(
            "What is the weather in Oslo?",
            new ChatOptions { Tools = [weather], ToolMode = ChatToolMode.RequireSpecific("get_weather"), MaxOutputTokens = 48, Seed = 4 });

        // FunctionInvokingChatClient sends the second request (with the tool result) with "tool_choice":"auto" (it resets a
        // required mode after the first round), so the mock answers it with text; with RequireSpecific kept, it would call again.
        calls.Should().ContainSingle("the mock called the required function once, then answered the tool result with text");
        response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Should().ContainSingle(c => c.Name == "get_weather");
        response.Messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Should().ContainSingle();
        response.Text.Should().NotBeEmpty();
        response.FinishReason.Should().NotBe(ChatFinishReason.ToolCalls);
    }
}
