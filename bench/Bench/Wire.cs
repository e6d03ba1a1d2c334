using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Bench;

/// <summary>The subset of a completions request the baseline reads.</summary>
internal sealed class BareRequest
{
    public string Model { get; set; } = "";

    public string Prompt { get; set; } = "";

    public int MaxTokens { get; set; } = 16;

    public bool Stream { get; set; }

    public BareStreamOptions? StreamOptions { get; set; }
}

internal sealed class BareStreamOptions
{
    public bool IncludeUsage { get; set; }
}

/// <summary>Non-streaming response: the mock's key set and order, nulls written.</summary>
internal sealed class BareResponse
{
    public required string Id { get; init; }

    public string Object { get; } = "text_completion";

    public required long Created { get; init; }

    public required string Model { get; init; }

    public required BareChoice[] Choices { get; init; }

    public required BareUsage Usage { get; init; }

    public string? ServiceTier { get; }

    public string? SystemFingerprint { get; }

    public object? KvTransferParams { get; }
}

internal sealed class BareChoice
{
    public required int Index { get; init; }

    public required string Text { get; init; }

    public object? Logprobs { get; }

    public required string? FinishReason { get; init; }

    public string? StopReason { get; }

    public object? PromptLogprobs { get; }
}

/// <summary>One SSE chunk, reused across the frames of a stream as the mock reuses its own.</summary>
internal sealed class BareChunk
{
    public required string Id { get; init; }

    public string Object { get; } = "text_completion";

    public required long Created { get; init; }

    public required string Model { get; init; }

    public required BareChunkChoice[] Choices { get; set; }

    public BareUsage? Usage { get; set; }
}

internal sealed class BareChunkChoice
{
    public int Index { get; set; }

    public string Text { get; set; } = "";

    public object? Logprobs { get; }

    public string? FinishReason { get; set; }

    public string? StopReason { get; }
}

internal sealed class BareUsage
{
    public required int PromptTokens { get; init; }

    public required int CompletionTokens { get; init; }

    public int TotalTokens => PromptTokens + CompletionTokens;
}

/// <summary>The subset of a chat request the baseline reads.</summary>
internal sealed class BareChatRequest
{
    public string Model { get; set; } = "";

    public BareChatMessage[] Messages { get; set; } = [];

    public int? MaxTokens { get; set; }

    public bool Stream { get; set; }

    public BareStreamOptions? StreamOptions { get; set; }
}

internal sealed class BareChatMessage
{
    public string Role { get; set; } = "";

    public string? Content { get; set; }
}

/// <summary>One chat chunk in the OpenAI dialect with include_usage: every key written, <c>usage</c> null but on the last.</summary>
internal sealed class BareChatChunk
{
    public required string Id { get; init; }

    public string Object { get; } = "chat.completion.chunk";

    public required long Created { get; init; }

    public required string Model { get; init; }

    public required BareChatChoice[] Choices { get; set; }

    public required BareUsage? Usage { get; set; }
}

internal sealed class BareChatChoice
{
    public int Index { get; set; }

    public required BareDelta Delta { get; init; }

    public object? Logprobs { get; }

    public string? FinishReason { get; set; }
}

/// <summary>A delta holds only what it says: the role chunk's role and empty content, a token's content, or nothing.</summary>
internal sealed class BareDelta
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Role { get; set; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Content { get; set; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(BareRequest))]
[JsonSerializable(typeof(BareResponse))]
[JsonSerializable(typeof(BareChunk))]
[JsonSerializable(typeof(BareChatRequest))]
[JsonSerializable(typeof(BareChatChunk))]
internal sealed partial class BareJsonContext : JsonSerializerContext;

internal static class BareJson
{
    /// <summary>Raw UTF-8 for non-ASCII text, as the mock writes it, so both send the same bytes.</summary>
    public static BareJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
}
