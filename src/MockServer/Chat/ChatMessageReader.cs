using System.Collections.Frozen;
using System.Text.Json;
using MockServer.Errors;
using MockServer.Validation;
using static MockServer.Validation.StrictJson;

namespace MockServer.Chat;

/// <summary>
/// Reads <c>messages</c> into <see cref="ChatMessage"/>s. Every error points into the array
/// (<c>messages[2].tool_calls[0].id</c>) so a client can find the offending turn in a long conversation.
/// </summary>
internal static class ChatMessageReader
{
    public static readonly FrozenSet<string> Roles = new[] { "system", "developer", "user", "assistant", "tool" }.ToFrozenSet(StringComparer.Ordinal);

    // OpenAI's message shapes, per role; anything else is refused like an unknown top-level parameter.
    private static readonly FrozenSet<string> CommonKeys = new[] { "role", "content", "name" }.ToFrozenSet(StringComparer.Ordinal);
    // OpenAI documents `audio` and the deprecated `function_call` on assistant messages; SDKs that echo a previous answer
    // back send them as null.
    private static readonly FrozenSet<string> AssistantKeys = new[] { "role", "content", "name", "tool_calls", "refusal", "audio", "function_call" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> ToolKeys = new[] { "role", "content", "tool_call_id" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> TextPartKeys = new[] { "type", "text" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> ToolCallKeys = new[] { "id", "type", "function" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> FunctionCallKeys = new[] { "name", "arguments" }.ToFrozenSet(StringComparer.Ordinal);

    // Part types OpenAI defines for other modalities: named in the error so the client learns why, not just "unknown".
    private static readonly FrozenSet<string> NonTextPartTypes = new[] { "image_url", "input_audio", "file", "refusal" }.ToFrozenSet(StringComparer.Ordinal);

    public static List<ChatMessage> Read(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            throw Fail(ApiError.MissingParameter("messages"));
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Fail(ApiError.InvalidType("messages", "an array of messages", Describe(v)));
        }

        if (v.GetArrayLength() == 0)
        {
            throw Fail(ApiError.InvalidValue("messages", "'messages' must hold at least one message."));
        }

        var messages = new List<ChatMessage>(v.GetArrayLength());
        var calls = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            var at = $"messages[{i++}]";
            var message = ReadMessage(item, at);

            // OpenAI: a tool result must answer a call made earlier in the conversation; one that answers nothing is a
            // client bug (a lost or renamed id) worth a 400, not a prompt.
            if (message.ToolCallId is { } answered && message.Role == "tool" && !calls.Contains(answered))
            {
                throw Fail(ApiError.InvalidValue($"{at}.tool_call_id",
                    $"Invalid parameter: messages with role 'tool' must be a response to a preceding message with 'tool_calls'; '{at}.tool_call_id' ('{Truncate(answered)}') names no earlier call."));
            }

            calls.UnionWith(message.ToolCalls.Select(c => c.Id));
            messages.Add(message);
        }

        return messages;
    }

    private static ChatMessage ReadMessage(JsonElement v, string at)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType(at, "a message object", Describe(v)));
        }

        // The role decides which keys are allowed, so it is read first.
        CheckNames(v, at);
        var role = v.TryGetProperty("role", out var r) ? ReadString($"{at}.role", r) : null;
        if (role is null)
        {
            throw Fail(ApiError.MissingParameter($"{at}.role"));
        }

        if (!Roles.Contains(role))
        {
            throw Fail(ApiError.InvalidValue($"{at}.role",
                $"Invalid value for '{at}.role': '{Truncate(role)}'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'."));
        }

        CheckObject(v, at, role switch { "assistant" => AssistantKeys, "tool" => ToolKeys, _ => CommonKeys });

        string? name = null, toolCallId = null;
        List<ToolCallSpec> toolCalls = [];
        JsonElement? content = null;
        foreach (var property in v.EnumerateObject())
        {
            var param = $"{at}.{property.Name}";
            switch (property.Name)
            {
                case "role": break;
                case "content": content = property.Value; break;
                case "name": name = ReadString(param, property.Value); break;
                case "tool_call_id": toolCallId = ReadString(param, property.Value); break;
                case "tool_calls": toolCalls = ReadToolCalls(property.Value, param); break;
                case "refusal": ReadString(param, property.Value); break;
                case "audio" or "function_call": RequireNull(param, property.Value); break;
                default: throw new InvalidOperationException($"Message key '{property.Name}' is accepted but not handled.");
            }
        }

        if (role == "tool" && string.IsNullOrEmpty(toolCallId))
        {
            throw Fail(toolCallId is null
                ? ApiError.MissingParameter($"{at}.tool_call_id")
                : ApiError.InvalidValue($"{at}.tool_call_id", $"'{at}.tool_call_id' must not be empty: it names the call this message answers."));
        }

        // Content may be null or left out only by an assistant turn that calls tools instead (OpenAI).
        var text = content is { ValueKind: not JsonValueKind.Null } c ? ReadContent(c, $"{at}.content") : null;
        if (text is null && !(role == "assistant" && toolCalls.Count > 0))
        {
            throw Fail(content is null
                ? ApiError.MissingParameter($"{at}.content")
                : ApiError.InvalidType($"{at}.content", "a string or an array of content parts (null only for an assistant message with 'tool_calls')", "null"));
        }

        return new ChatMessage(role, text) { Name = name, ToolCallId = toolCallId, ToolCalls = toolCalls };
    }

    /// <summary>Accepted only as null: these text models produce no audio, and legacy function calls are sent as <c>tool_calls</c>.</summary>
    private static void RequireNull(string param, JsonElement v)
    {
        if (v.ValueKind != JsonValueKind.Null)
        {
            throw Fail(ApiError.InvalidValue(param, $"'{param}' is accepted only as null by these text models; send earlier tool calls as 'tool_calls'."));
        }
    }

    /// <summary>A string, or text parts joined with a newline as vLLM does for a text-only template.</summary>
    private static string ReadContent(JsonElement v, string at)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.String:
                return TextOf(v, at);
            case JsonValueKind.Array when v.GetArrayLength() == 0:
                throw Fail(ApiError.InvalidValue(at, $"'{at}' must hold at least one content part."));
            case JsonValueKind.Array:
                var texts = new List<string>(v.GetArrayLength());
                var j = 0;
                foreach (var part in v.EnumerateArray())
                {
                    texts.Add(ReadTextPart(part, $"{at}[{j++}]"));
                }

                return string.Join('\n', texts);
            default:
                throw Fail(ApiError.InvalidType(at, "a string or an array of content parts", Describe(v)));
        }
    }

    private static string ReadTextPart(JsonElement part, string at)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType(at, "a content part object", Describe(part)));
        }

        CheckNames(part, at);
        var type = part.TryGetProperty("type", out var t) ? ReadString($"{at}.type", t) : null;
        switch (type)
        {
            case null:
                throw Fail(ApiError.MissingParameter($"{at}.type"));
            case "text":
                break;
            case var other when NonTextPartTypes.Contains(other):
                throw Fail(new ApiError(400, $"Invalid value for '{at}.type': '{other}' content is not supported; this model takes text only (parts of type 'text').",
                    ApiError.InvalidRequest, $"{at}.type", "unsupported_value"));
            default:
                throw Fail(ApiError.InvalidValue($"{at}.type", $"Invalid value for '{at}.type': '{Truncate(type)}'. This model takes text only: the supported value is 'text'."));
        }

        CheckObject(part, at, TextPartKeys);
        return (part.TryGetProperty("text", out var text) ? ReadString($"{at}.text", text) : null)
            ?? throw Fail(ApiError.MissingParameter($"{at}.text"));
    }

    private static List<ToolCallSpec> ReadToolCalls(JsonElement v, string at)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Fail(ApiError.InvalidType(at, "an array of tool calls", Describe(v)));
        }

        var calls = new List<ToolCallSpec>(v.GetArrayLength());
        var k = 0;
        foreach (var call in v.EnumerateArray())
        {
            var here = $"{at}[{k++}]";
            CheckObject(call, here, ToolCallKeys, "a tool call object");
            var id = RequiredString(call, "id", here);
            var type = RequiredString(call, "type", here);
            if (type != "function")
            {
                throw Fail(ApiError.InvalidValue($"{here}.type", $"Invalid value for '{here}.type': '{Truncate(type)}'. The supported value is 'function'."));
            }

            if (!call.TryGetProperty("function", out var function) || function.ValueKind == JsonValueKind.Null)
            {
                throw Fail(ApiError.MissingParameter($"{here}.function"));
            }

            CheckObject(function, $"{here}.function", FunctionCallKeys);
            calls.Add(new ToolCallSpec(id, RequiredString(function, "name", $"{here}.function"), RequiredString(function, "arguments", $"{here}.function")));
        }

        return calls;
    }
}
