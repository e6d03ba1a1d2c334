using System.Text.Json;
using MockServer.Dialects;
using NJsonSchema;
using static MockServer.Tests.Chat.ChatResponseHarness;

namespace MockServer.Tests.Chat;

/// <summary>Request bodies as clients send them, through the chat parser, then the responder: the two pieces agree.</summary>
public sealed class ChatResponseParsedTests
{
    private static readonly ChatParsing Parsing = new();

    private static MockServer.Chat.ChatRequest Parse(string extra, Dialect dialect)
    {
        var request = Parsing.Parse(ChatParsing.Body(extra));
        return request with { Model = request.Model with { Dialect = dialect } };
    }

    [Fact]
    public async Task Openai_stream_options_include_usage_gives_the_usage_chunk()
    {
        var with = await StreamAsync(Parse(""","stream":true,"max_tokens":4,"seed":1,"stream_options":{"include_usage":true}""", Dialects.Dialects.OpenAi));
        var without = await StreamAsync(Parse(""","stream":true,"max_tokens":4,"seed":1""", Dialects.Dialects.OpenAi));

        with.Chunks[^1].GetProperty("choices").GetArrayLength().Should().Be(0);
        with.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(4);
        without.Chunks.Should().OnlyContain(c => c.GetProperty("choices").GetArrayLength() == 1);
    }

    [Fact]
    public async Task A_named_tool_choice_and_a_json_schema_from_the_wire_are_honoured()
    {
        const string schema = """{"type":"object","properties":{"q":{"type":"string"},"n":{"type":"integer","minimum":3,"maximum":5}},"required":["q","n"]}""";
        var tools = ""","tools":[{"type":"function","function":{"name":"search","parameters":""" + schema + """}}],"tool_choice":{"type":"function","function":{"name":"search"}},"seed":4""";
        var format = ""","response_format":{"type":"json_schema","json_schema":{"name":"out","schema":""" + schema + """}},"seed":4""";

        var call = await CompleteAsync(Parse(tools, Dialects.Dialects.Llmbase));
        var structured = await CompleteAsync(Parse(format, Dialects.Dialects.Llmbase));

        var validator = await JsonSchema.FromJsonAsync(schema);
        var arguments = call.GetProperty("choices")[0].GetProperty("message").GetProperty("tool_calls")[0].GetProperty("function").GetProperty("arguments").GetString()!;
        validator.Validate(arguments).Should().BeEmpty(arguments);
        call.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("tool_calls");
        var content = ChatResponseTests.Content(structured);
        validator.Validate(content).Should().BeEmpty(content);
        structured.GetProperty("choices")[0].GetProperty("message").TryGetProperty("tool_calls", out _).Should().BeFalse();
    }
}
