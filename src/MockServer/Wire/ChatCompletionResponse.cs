using System.Text.Json.Serialization;

namespace MockServer.Wire;

/// <summary>
/// Non-streaming <c>/v1/chat/completions</c> body (spec-facts §5 notes, OpenAI's schema): <c>refusal: null</c> and
/// <c>content: null</c> are written; <c>tool_calls</c> only when the model made calls.
/// </summary>
internal sealed class ChatCompletionResponse
{
    public required string Id { get; init; }

    public string Object { get; } = "chat.completion";

    public required long Created { get; init; }

    public required string Model { get; init; }

    public required IReadOnlyList<ChatCompletionChoice> Choices { get; init; }

    public required Usage Usage { get; init; }

    /// <summary>llama.cpp's build id (spec-facts §12.2); absent in the other dialects.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? SystemFingerprint { get; init; }
}

internal sealed class ChatCompletionChoice
{
    public required int Index { get; init; }

    public required ChatResponseMessage Message { get; init; }

    public required ChatLogprobs? Logprobs { get; init; }

    public required string FinishReason { get; init; }

    /// <summary>vLLM's matched stop string (spec-facts §5 notes); the key is written only in dialects that have it (<see cref="WireJson.ChatCompletionResponse"/>).</summary>
    public string? StopReason { get; init; }
}

internal sealed class ChatResponseMessage
{
    public string Role { get; } = "assistant";

    /// <summary>Null when the turn is tool calls only.</summary>
    public required string? Content { get; init; }

    public string? Refusal { get; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChatToolCall>? ToolCalls { get; init; }
}

internal sealed class ChatToolCall
{
    public required string Id { get; init; }

    public string Type { get; } = "function";

    public required ChatFunctionCall Function { get; init; }
}

internal sealed class ChatFunctionCall
{
    public required string Name { get; init; }

    /// <summary>JSON text, as a string (OpenAI's wire).</summary>
    public required string Arguments { get; init; }
}

/// <summary>Chat logprobs (spec-facts §3.3): both keys are required by OpenAI's schema.</summary>
internal sealed class ChatLogprobs
{
    public required IReadOnlyList<ChatTokenLogprob>? Content { get; init; }

    public IReadOnlyList<ChatTokenLogprob>? Refusal { get; }
}

internal sealed class ChatTokenLogprob
{
    public required string Token { get; init; }

    public required double Logprob { get; init; }

    /// <summary>The token's UTF-8, as numbers (not base64: an int array on the wire).</summary>
    public required int[] Bytes { get; init; }

    /// <summary>Null on an alternative (alternatives have none of their own); the sorted alternatives on a sampled token.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ChatTokenLogprob>? TopLogprobs { get; init; }
}
