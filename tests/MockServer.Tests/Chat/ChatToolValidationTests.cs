using MockServer.Chat;
using static MockServer.Tests.Chat.ChatParsing;

namespace MockServer.Tests.Chat;

/// <summary><c>tools</c>, <c>tool_choice</c> and <c>response_format</c>, and the model capabilities that allow them.</summary>
public sealed class ChatToolValidationTests
{
    private const string Weather = """{"type":"function","function":{"name":"get_weather","description":"Weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"strict":true}}""";

    private readonly ChatParsing _chat = new();

    [Fact]
    public void Tools_are_read_with_their_schema_outliving_the_request_document()
    {
        var request = _chat.Parse(Body($",\"tools\":[{Weather}]"));

        var tool = request.Tools.Should().ContainSingle().Subject;
        tool.Name.Should().Be("get_weather");
        tool.Description.Should().Be("Weather in a city");
        // The parser's document is disposed by now: a schema not cloned out of it would throw here.
        tool.Parameters!.Value.GetProperty("required")[0].GetString().Should().Be("city");
        request.ToolChoice.Should().Be(ToolChoiceMode.Auto, "auto is the default when tools are given");
    }

    [Fact]
    public void Without_tools_the_choice_is_none()
    {
        _chat.Parse(Body()).ToolChoice.Should().Be(ToolChoiceMode.None);
    }

    [Theory]
    [InlineData("{}", "invalid_type", "tools")]
    [InlineData("[]", "invalid_value", "tools")]
    [InlineData("[1]", "invalid_type", "tools[0]")]
    [InlineData("""[{"function":{"name":"f"}}]""", "missing_required_parameter", "tools[0].type")]
    [InlineData("""[{"type":"retrieval","function":{"name":"f"}}]""", "invalid_value", "tools[0].type")]
    [InlineData("""[{"type":"function"}]""", "missing_required_parameter", "tools[0].function")]
    [InlineData("""[{"type":"function","function":{"description":"x"}}]""", "missing_required_parameter", "tools[0].function.name")]
    [InlineData("""[{"type":"function","function":{"name":"get weather"}}]""", "invalid_value", "tools[0].function.name")]
    [InlineData("""[{"type":"function","function":{"name":""}}]""", "invalid_value", "tools[0].function.name")]
    [InlineData("""[{"type":"function","function":{"name":"f","parameters":"{}"}}]""", "invalid_type", "tools[0].function.parameters")]
    [InlineData("""[{"type":"function","function":{"name":"f","strict":"yes"}}]""", "invalid_type", "tools[0].function.strict")]
    [InlineData("""[{"type":"function","function":{"name":"f","params":{}}}]""", "unknown_parameter", "tools[0].function.params")]
    [InlineData("""[{"type":"function","function":{"name":"f"}},{"type":"function","function":{"name":"f"}}]""", "invalid_value", "tools[1].function.name")]
    public void A_tool_is_a_named_function_with_an_object_schema(string tools, string code, string param)
    {
        _chat.BadRequest(Body($",\"tools\":{tools}"), code, param);
    }

    [Fact]
    public void A_function_name_of_65_characters_is_refused_and_of_64_accepted()
    {
        string Tools(int length) => $",\"tools\":[{{\"type\":\"function\",\"function\":{{\"name\":\"{new string('a', length)}\"}}}}]";

        _chat.BadRequest(Body(Tools(65)), "invalid_value", "tools[0].function.name");
        _chat.Parse(Body(Tools(64))).Tools.Should().ContainSingle();
    }

    [Fact]
    public void A_schema_nested_past_the_bound_is_refused()
    {
        string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"a\":", levels)) + "1" + new string('}', levels);
        var deep = Nested(JsonSchemaBounds.MaxDepth + 1);
        var within = Nested(JsonSchemaBounds.MaxDepth);
        string Tools(string schema) => $",\"tools\":[{{\"type\":\"function\",\"function\":{{\"name\":\"f\",\"parameters\":{schema}}}}}]";

        _chat.BadRequest(Body(Tools(deep)), "invalid_value", "tools[0].function.parameters");
        _chat.Parse(Body(Tools(within))).Tools.Should().ContainSingle();
    }

    [Fact]
    public void A_schema_with_too_many_values_is_refused()
    {
        var schema = $"{{\"enum\":[{string.Join(',', Enumerable.Repeat("0", JsonSchemaBounds.MaxNodes))}]}}";

        _chat.BadRequest(Body($",\"response_format\":{{\"type\":\"json_schema\",\"json_schema\":{{\"name\":\"n\",\"schema\":{schema}}}}}"),
            "invalid_value", "response_format.json_schema.schema");
    }

    [Theory]
    [InlineData("\"none\"", nameof(ToolChoiceMode.None), null)]
    [InlineData("\"auto\"", nameof(ToolChoiceMode.Auto), null)]
    [InlineData("\"required\"", nameof(ToolChoiceMode.Required), null)]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""", nameof(ToolChoiceMode.Named), "get_weather")]
    public void Tool_choice_is_a_mode_or_a_declared_function(string choice, string mode, string? name)
    {
        var request = _chat.Parse(Body($",\"tools\":[{Weather}],\"tool_choice\":{choice}"));

        request.ToolChoice.ToString().Should().Be(mode);
        request.ToolChoiceName.Should().Be(name);
    }

    [Theory]
    [InlineData("\"auto\"")]
    [InlineData("\"required\"")]
    [InlineData("""{"type":"function","function":{"name":"get_weather"}}""")]
    public void Tool_choice_without_tools_is_refused(string choice)
    {
        _chat.BadRequest(Body($",\"tool_choice\":{choice}"), "invalid_value", "tool_choice");
    }

    [Fact]
    public void Tool_choice_none_without_tools_is_accepted()
    {
        _chat.Parse(Body(",\"tool_choice\":\"none\"")).ToolChoice.Should().Be(ToolChoiceMode.None);
    }

    [Theory]
    [InlineData("\"any\"", "invalid_value", "tool_choice")]
    [InlineData("1", "invalid_type", "tool_choice")]
    [InlineData("""{"type":"function","function":{"name":"get_time"}}""", "invalid_value", "tool_choice")]
    [InlineData("""{"type":"function"}""", "missing_required_parameter", "tool_choice.function")]
    [InlineData("""{"type":"function","function":{}}""", "missing_required_parameter", "tool_choice.function.name")]
    [InlineData("""{"type":"tool","function":{"name":"get_weather"}}""", "invalid_value", "tool_choice.type")]
    [InlineData("""{"type":"function","function":{"name":"get_weather","arguments":"{}"}}""", "unknown_parameter", "tool_choice.function.arguments")]
    public void A_bad_tool_choice_is_refused(string choice, string code, string param)
    {
        _chat.BadRequest(Body($",\"tools\":[{Weather}],\"tool_choice\":{choice}"), code, param);
    }

    [Theory]
    [InlineData("""{"type":"text"}""", nameof(ResponseFormatKind.Text))]
    [InlineData("""{"type":"json_object"}""", nameof(ResponseFormatKind.JsonObject))]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"answer","description":"d","strict":true,"schema":{"type":"object"}}}""", nameof(ResponseFormatKind.JsonSchema))]
    public void Response_format_is_read(string format, string kind)
    {
        var request = _chat.Parse(Body($",\"response_format\":{format}"));

        request.ResponseFormat.ToString().Should().Be(kind);
        (request.ResponseSchema?.GetProperty("type").GetString()).Should().Be(kind == nameof(ResponseFormatKind.JsonSchema) ? "object" : null);
    }

    [Theory]
    [InlineData("\"json\"", "invalid_type", "response_format")]
    [InlineData("{}", "missing_required_parameter", "response_format.type")]
    [InlineData("""{"type":"xml"}""", "invalid_value", "response_format.type")]
    [InlineData("""{"type":"json_object","schema":{}}""", "unknown_parameter", "response_format.schema")]
    [InlineData("""{"type":"json_schema"}""", "missing_required_parameter", "response_format.json_schema")]
    [InlineData("""{"type":"json_schema","json_schema":{"schema":{}}}""", "missing_required_parameter", "response_format.json_schema.name")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a b","schema":{}}}""", "invalid_value", "response_format.json_schema.name")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a"}}""", "missing_required_parameter", "response_format.json_schema.schema")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a","schema":true}}""", "invalid_type", "response_format.json_schema.schema")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a","schema":{},"strict":1}}""", "invalid_type", "response_format.json_schema.strict")]
    [InlineData("""{"type":"text","\ud800":1}""", "invalid_value", "response_format")]
    [InlineData("""{"type":"json_schema","json_schema":{"name":"a","schema":{"\ud800":1}}}""", "invalid_value", "response_format.json_schema.schema")]
    public void A_bad_response_format_is_refused(string format, string code, string param)
    {
        _chat.BadRequest(Body($",\"response_format\":{format}"), code, param);
    }

    [Theory]
    [InlineData(",\"tools\":[" + Weather + "]", "tools")]
    [InlineData(",\"response_format\":{\"type\":\"json_object\"}", "response_format")]
    [InlineData(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{}}}", "response_format")]
    [InlineData(",\"logprobs\":true", "logprobs")]
    public void A_model_without_the_capability_refuses_it(string extra, string param)
    {
        var error = _chat.BadRequest(Body(extra, model: "plain-chat"), "unsupported_parameter", param);

        error.Message.Should().Contain("plain-chat");
    }

    [Theory]
    [InlineData(",\"response_format\":{\"type\":\"text\"}")]
    [InlineData(",\"tool_choice\":\"none\"")]
    [InlineData(",\"logprobs\":false")]
    public void A_model_without_capabilities_still_takes_their_neutral_values(string extra)
    {
        var act = () => _chat.Parse(Body(extra, model: "plain-chat"));

        act.Should().NotThrow();
    }
}
