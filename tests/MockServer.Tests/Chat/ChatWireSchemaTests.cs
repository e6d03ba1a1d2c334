using System.Text;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Chat;

/// <summary>
/// Every kind of chat answer the default models give over HTTP (plain, logprobs, a forced tool call, structured output,
/// n &gt; 1, a stop string; streamed and not) follows <c>schemas/chat-completion*.schema.json</c>, the schemas the suite's
/// <c>chat.schema.*</c> checks apply to any endpoint.
/// </summary>
public sealed class ChatWireSchemaTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private const string Tools = """
        "tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}],
        "tool_choice":{"type":"function","function":{"name":"get_weather"}}
        """;

    public static TheoryData<string, string, bool> Cases()
    {
        var extras = new[]
        {
            "\"max_tokens\":6",
            "\"max_tokens\":6,\"logprobs\":true,\"top_logprobs\":3",
            "\"max_tokens\":40," + Tools,
            "\"max_tokens\":40,\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"p\",\"schema\":{\"type\":\"object\",\"properties\":{\"n\":{\"type\":\"integer\"}},\"required\":[\"n\"]}}}",
            "\"max_tokens\":5,\"n\":2,\"temperature\":0.9",
            "\"max_tokens\":12,\"stop\":[\",\"]",
        };
        var data = new TheoryData<string, string, bool>();
        foreach (var model in new[] { "llama-8b-instruct", "deepseek/deepseek-v4-flash" })
        {
            foreach (var extra in extras)
            {
                data.Add(model, extra, false);
                data.Add(model, extra, true);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Every_answer_follows_the_chat_schemas(string model, string extra, bool stream)
    {
        var body = $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Count to 5."}],"seed":3,"stream":{{(stream ? "true" : "false")}},{{extra}}}""";
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync("chat/completions", content);
        var text = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).Should().Be(200, text);
        Schemas.ShouldBeValidChatAnswer(200, response.Content.Headers.ContentType!.ToString(), text);
    }

    [Fact]
    public void The_chat_schemas_refuse_a_completion_shaped_answer()
    {
        // If the schema files failed to load into something meaningful, the theory above would pass on anything.
        Schemas.Get(Schemas.ChatCompletion).Validate("""{"id":"cmpl-1","object":"text_completion","created":1,"model":"m","choices":[{"index":0,"text":"x","finish_reason":"stop"}]}""").Should().NotBeEmpty();
        Schemas.Get(Schemas.ChatChunk).Validate("""{"id":"chatcmpl-1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":1},"finish_reason":null}]}""").Should().NotBeEmpty();
    }
}
