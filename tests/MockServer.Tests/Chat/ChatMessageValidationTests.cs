using static MockServer.Tests.Chat.ChatParsing;

namespace MockServer.Tests.Chat;

/// <summary><c>messages</c>: every error points into the array, so the offending turn is found in a long conversation.</summary>
public sealed class ChatMessageValidationTests
{
    private readonly ChatParsing _chat = new();

    [Fact]
    public void Missing_messages_are_refused()
    {
        _chat.BadRequest("""{"model":"chat"}""", "missing_required_parameter", "messages");
    }

    [Theory]
    [InlineData("\"Hello\"", "invalid_type")]
    [InlineData("{\"role\":\"user\",\"content\":\"Hi\"}", "invalid_type")]
    [InlineData("[]", "invalid_value")]
    [InlineData("null", "missing_required_parameter")]
    public void Messages_must_be_a_non_empty_array(string messages, string code)
    {
        _chat.BadRequest(Body(messages: messages), code, "messages");
    }

    [Fact]
    public void A_message_must_be_an_object()
    {
        _chat.BadRequest(Body(messages: """[{"role":"user","content":"Hi"},"Hi"]"""), "invalid_type", "messages[1]");
    }

    [Theory]
    [InlineData("""{"role":"robot","content":"Hi"}""", "invalid_value")]
    [InlineData("""{"role":"function","content":"Hi"}""", "invalid_value")]
    [InlineData("""{"content":"Hi"}""", "missing_required_parameter")]
    [InlineData("""{"role":1,"content":"Hi"}""", "invalid_type")]
    public void A_role_must_be_known(string message, string code)
    {
        var error = _chat.BadRequest(Body(messages: $$"""[{"role":"system","content":"Be brief."},{"role":"user","content":"Hi"},{{message}}]"""), code, "messages[2].role");

        if (code == "invalid_value")
        {
            error.Message.Should().Contain("'user'").And.Contain("'tool'");
        }
    }

    [Theory]
    [InlineData("""{"role":"user","content":"Hi","contents":"x"}""", "messages[0].contents", "messages[0].content")]
    [InlineData("""{"role":"user","content":"Hi","tool_calls":[]}""", "messages[0].tool_calls", null)]
    [InlineData("""{"role":"system","content":"Hi","tool_call_id":"c"}""", "messages[0].tool_call_id", null)]
    [InlineData("""{"role":"tool","content":"Hi","tool_call_id":"c","name":"f"}""", "messages[0].name", null)]
    public void Unknown_keys_in_a_message_are_refused(string message, string param, string? suggestion)
    {
        var error = _chat.BadRequest(Body(messages: $"[{message}]"), "unknown_parameter", param);

        if (suggestion is not null)
        {
            error.Message.Should().Contain($"Did you mean '{suggestion}'?");
        }
    }

    [Fact]
    public void A_repeated_key_in_a_message_is_refused()
    {
        _chat.BadRequest(Body(messages: """[{"role":"user","content":"a","content":"b"}]"""), "duplicate_parameter", "messages[0].content");
    }

    [Theory]
    [InlineData("""{"role":"user","content":5}""", "invalid_type")]
    [InlineData("""{"role":"user","content":null}""", "invalid_type")]
    [InlineData("""{"role":"user"}""", "missing_required_parameter")]
    [InlineData("""{"role":"assistant","content":null}""", "invalid_type")]
    [InlineData("""{"role":"user","content":[]}""", "invalid_value")]
    public void Content_is_a_string_or_parts(string message, string code)
    {
        _chat.BadRequest(Body(messages: $"[{message}]"), code, "messages[0].content");
    }

    [Theory]
    [InlineData("""{"role":"user","content":"\ud800"}""", "messages[0].content")]
    [InlineData("""{"role":"user","content":[{"type":"text","text":"\ud800"}]}""", "messages[0].content[0].text")]
    [InlineData("""{"role":"user","content":"Hi","name":"\udc00"}""", "messages[0].name")]
    [InlineData("""{"role":"user","content":"Hi","\ud800":1}""", "messages[0]")]
    [InlineData("""{"role":"user","content":[{"type":"text","text":"a","\ud800":1}]}""", "messages[0].content[0]")]
    public void Text_that_is_not_valid_unicode_is_a_400_naming_where(string message, string param)
    {
        _chat.BadRequest(Body(messages: $"[{message}]"), "invalid_value", param);
    }

    [Fact]
    public void Text_parts_are_joined_with_newlines()
    {
        var request = _chat.Parse(Body(messages: """[{"role":"user","content":[{"type":"text","text":"one"},{"type":"text","text":"two"}]}]"""));

        request.Messages[0].Content.Should().Be("one\ntwo");
    }

    [Theory]
    [InlineData("image_url", "unsupported_value")]
    [InlineData("input_audio", "unsupported_value")]
    [InlineData("video", "invalid_value")]
    public void Only_text_parts_are_accepted(string type, string code)
    {
        var messages = $$$"""[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"{{{type}}}","{{{type}}}":{"url":"https://example.invalid/a.png"}}]}]""";

        var error = _chat.BadRequest(Body(messages: messages), code, "messages[0].content[1].type");

        error.Message.Should().Contain("text only");
    }

    [Theory]
    [InlineData("""{"text":"a"}""", "missing_required_parameter", "messages[0].content[0].type")]
    [InlineData("""{"type":"text"}""", "missing_required_parameter", "messages[0].content[0].text")]
    [InlineData("""{"type":"text","text":3}""", "invalid_type", "messages[0].content[0].text")]
    [InlineData("""{"type":"text","text":"a","cache_control":{}}""", "unknown_parameter", "messages[0].content[0].cache_control")]
    [InlineData("\"a\"", "invalid_type", "messages[0].content[0]")]
    public void A_text_part_has_a_type_and_a_text(string part, string code, string param)
    {
        _chat.BadRequest(Body(messages: $$"""[{"role":"user","content":[{{part}}]}]"""), code, param);
    }

    [Theory]
    [InlineData("", "missing_required_parameter")]
    [InlineData(",\"tool_call_id\":null", "missing_required_parameter")]
    [InlineData(",\"tool_call_id\":\"\"", "invalid_value")]
    [InlineData(",\"tool_call_id\":7", "invalid_type")]
    public void A_tool_message_names_the_call_it_answers(string id, string code)
    {
        var messages = $$$"""[{"role":"user","content":"Weather?"},{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{}"}}]},{"role":"tool","content":"sunny"{{{id}}}}]""";

        _chat.BadRequest(Body(messages: messages), code, "messages[2].tool_call_id");
    }

    [Theory]
    [InlineData("call_2", "messages[2].tool_call_id")] // answers no call
    [InlineData("call_1", null)]
    public void A_tool_message_must_answer_an_earlier_call(string id, string? param)
    {
        var messages = $$$"""[{"role":"user","content":"Weather?"},{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{}"}}]},{"role":"tool","content":"sunny","tool_call_id":"{{{id}}}"}]""";

        if (param is null)
        {
            _chat.Parse(Body(messages: messages)).Messages[2].ToolCallId.Should().Be(id);
        }
        else
        {
            _chat.BadRequest(Body(messages: messages), "invalid_value", param).Message.Should().Contain("preceding message with 'tool_calls'");
        }
    }

    [Fact]
    public void A_tool_result_before_its_call_is_refused()
    {
        var messages = """[{"role":"user","content":"Weather?"},{"role":"tool","content":"sunny","tool_call_id":"call_1"},{"role":"assistant","tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{}"}}]}]""";

        _chat.BadRequest(Body(messages: messages), "invalid_value", "messages[1].tool_call_id");
    }

    [Theory]
    [InlineData("audio")]
    [InlineData("function_call")]
    public void An_assistant_message_may_carry_null_audio_and_function_call_as_sdks_echo_them(string key)
    {
        var accepted = $$"""[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello","{{key}}":null},{"role":"user","content":"Again"}]""";
        var refused = $$$"""[{"role":"user","content":"Hi"},{"role":"assistant","content":"Hello","{{{key}}}":{"id":"x"}}]""";

        _chat.Parse(Body(messages: accepted)).Messages.Should().HaveCount(3);
        _chat.BadRequest(Body(messages: refused), "invalid_value", $"messages[1].{key}");
    }

    [Theory]
    [InlineData("""{"type":"function","function":{"name":"f","arguments":"{}"}}""", "missing_required_parameter", "messages[1].tool_calls[0].id")]
    [InlineData("""{"id":"c","function":{"name":"f","arguments":"{}"}}""", "missing_required_parameter", "messages[1].tool_calls[0].type")]
    [InlineData("""{"id":"c","type":"code","function":{"name":"f","arguments":"{}"}}""", "invalid_value", "messages[1].tool_calls[0].type")]
    [InlineData("""{"id":"c","type":"function"}""", "missing_required_parameter", "messages[1].tool_calls[0].function")]
    [InlineData("""{"id":"c","type":"function","function":{"arguments":"{}"}}""", "missing_required_parameter", "messages[1].tool_calls[0].function.name")]
    [InlineData("""{"id":"c","type":"function","function":{"name":"f"}}""", "missing_required_parameter", "messages[1].tool_calls[0].function.arguments")]
    [InlineData("""{"id":"c","type":"function","function":{"name":"f","arguments":{}}}""", "invalid_type", "messages[1].tool_calls[0].function.arguments")]
    [InlineData("""{"id":"c","type":"function","function":{"name":"f","arguments":"{}","index":0}}""", "unknown_parameter", "messages[1].tool_calls[0].function.index")]
    [InlineData("\"call\"", "invalid_type", "messages[1].tool_calls[0]")]
    public void An_assistant_tool_call_needs_id_type_name_and_string_arguments(string call, string code, string param)
    {
        var messages = $$"""[{"role":"user","content":"Weather?"},{"role":"assistant","content":null,"tool_calls":[{{call}}]}]""";

        _chat.BadRequest(Body(messages: messages), code, param);
    }

    [Fact]
    public void A_conversation_with_every_role_and_a_tool_round_trip_is_accepted()
    {
        var messages = """
            [{"role":"system","content":"Be brief."},
             {"role":"developer","content":"Use tools."},
             {"role":"user","name":"ann","content":"Weather in Paris?"},
             {"role":"assistant","content":null,"tool_calls":[{"id":"call_1","type":"function","function":{"name":"weather","arguments":"{\"city\":\"Paris\"}"}}]},
             {"role":"tool","tool_call_id":"call_1","content":"sunny"},
             {"role":"assistant","content":"Sunny.","refusal":null},
             {"role":"user","content":[{"type":"text","text":"Thanks"}]}]
            """;

        var request = _chat.Parse(Body(messages: messages));

        request.Messages.Select(m => m.Role).Should().Equal("system", "developer", "user", "assistant", "tool", "assistant", "user");
        request.Messages[2].Name.Should().Be("ann");
        request.Messages[3].Content.Should().BeNull();
        request.Messages[3].ToolCalls.Should().Equal(new MockServer.Chat.ToolCallSpec("call_1", "weather", "{\"city\":\"Paris\"}"));
        request.Messages[4].ToolCallId.Should().Be("call_1");
        request.Messages[6].Content.Should().Be("Thanks");
    }
}
