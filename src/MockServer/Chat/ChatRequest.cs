using System.Text.Json;
using MockServer.Catalog;
using MockServer.Generation;
using MockServer.Validation;

namespace MockServer.Chat;

/// <summary>A function call an assistant made, as sent back in a later turn or produced by the model.</summary>
/// <param name="Id">The call id a <c>tool</c> message answers with <c>tool_call_id</c>.</param>
/// <param name="Name">The function name.</param>
/// <param name="Arguments">The arguments as the JSON text the model wrote (a string on the wire).</param>
internal sealed record ToolCallSpec(string Id, string Name, string Arguments);

/// <summary>
/// One message of a conversation, validated. Content parts of type <c>text</c> are joined into <see cref="Content"/>
/// (a template renders text only); null when the message has no content (an assistant turn of tool calls only).
/// </summary>
internal sealed record ChatMessage(string Role, string? Content)
{
    public string? Name { get; init; }

    /// <summary>For a <c>tool</c> message: the call it answers.</summary>
    public string? ToolCallId { get; init; }

    /// <summary>For an <c>assistant</c> message: the calls it made.</summary>
    public IReadOnlyList<ToolCallSpec> ToolCalls { get; init; } = [];
}

/// <summary>A function the model may call; <see cref="Parameters"/> is its JSON Schema (cloned out of the request document).</summary>
internal sealed record ToolDefinition(string Name, string? Description, JsonElement? Parameters);

/// <summary>The request's <c>tool_choice</c>.</summary>
internal enum ToolChoiceMode
{
    None,
    Auto,
    Required,

    /// <summary>One function, named in <see cref="ChatRequest.ToolChoiceName"/>.</summary>
    Named,
}

/// <summary>The request's <c>response_format</c>.</summary>
internal enum ResponseFormatKind
{
    Text,
    JsonObject,
    JsonSchema,
}

/// <summary>A validated <c>/v1/chat/completions</c> request: every value is in range, every cross-field rule holds.</summary>
internal sealed record ChatRequest
{
    public required ServedModel Model { get; init; }

    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>The conversation rendered through the model's chat template, and its tokens (what usage counts).</summary>
    public required PromptInput Prompt { get; init; }

    /// <summary>
    /// <c>max_completion_tokens</c>, else <c>max_tokens</c>; when neither is given, the room left in the context capped by
    /// the server's default for chat (a mock should not write 100k tokens because a client left it out).
    /// </summary>
    public required int MaxTokens { get; init; }

    public int N { get; init; } = 1;

    public bool Stream { get; init; }

    /// <summary><c>stream_options.include_usage</c> as sent; null when absent (the dialect decides what that means).</summary>
    public bool? IncludeUsage { get; init; }

    public bool Logprobs { get; init; }

    /// <summary>Alternatives per position (0..20), meaningful only with <see cref="Logprobs"/>.</summary>
    public int TopLogprobs { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public long? Seed { get; init; }

    public required SamplingParameters Sampling { get; init; }

    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];

    /// <summary>Default: <c>auto</c> when tools are given, else <c>none</c> (OpenAI).</summary>
    public ToolChoiceMode ToolChoice { get; init; } = ToolChoiceMode.None;

    public string? ToolChoiceName { get; init; }

    public bool ParallelToolCalls { get; init; } = true;

    public ResponseFormatKind ResponseFormat { get; init; } = ResponseFormatKind.Text;

    /// <summary>For <see cref="ResponseFormatKind.JsonSchema"/>: the schema the content must validate against.</summary>
    public JsonElement? ResponseSchema { get; init; }
}
