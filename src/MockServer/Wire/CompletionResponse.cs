using System.Text.Json.Serialization;

namespace MockServer.Wire;

/// <summary>
/// Non-streaming <c>/v1/completions</c> body with vLLM's key set: null keys are written, not dropped
/// (spec-facts §2.1), so clients see <c>logprobs</c>, <c>stop_reason</c> and <c>prompt_logprobs</c> keys.
/// </summary>
internal sealed class CompletionResponse
{
    public required string Id { get; init; }

    public string Object { get; } = "text_completion";

    public required long Created { get; init; }

    public required string Model { get; init; }

    /// <summary>An array, not a list interface: the serializer walks it without an enumerator.</summary>
    public required CompletionChoice[] Choices { get; init; }

    public required Usage Usage { get; init; }

    public string? ServiceTier { get; }

    public string? SystemFingerprint { get; init; }

    /// <summary>Always null here. Typed string, not object, which would take the serializer's fast path away (see <see cref="ChunkChoice.Logprobs"/>).</summary>
    public string? KvTransferParams { get; }

    /// <summary>llama.cpp's timings (spec-facts §12.1); absent in the other dialects.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LlamaTimings? Timings { get; set; }
}

internal sealed class CompletionChoice
{
    public required int Index { get; init; }

    public required string Text { get; init; }

    /// <summary>The choice's logprobs in vLLM's and OpenAI's shape (typed for the serializer's fast path, as <see cref="ChunkChoice.Logprobs"/>).</summary>
    public Logprobs? Logprobs { get; init; }

    /// <summary>The choice's logprobs in llama.cpp's chat shape; written under <c>logprobs</c> in that dialect only (<see cref="WireJson"/>).</summary>
    [JsonIgnore]
    public ContentLogprobs? ChatShapedLogprobs { get; init; }

    public required string? FinishReason { get; init; }

    /// <summary>The stop string that ended the choice; null for EOS and length (spec-facts I10, Q13).</summary>
    public required string? StopReason { get; init; }

    public required IReadOnlyList<Dictionary<string, PromptLogprob>?>? PromptLogprobs { get; init; }
}

/// <summary>One entry of vLLM's <c>prompt_logprobs</c> (spec-facts §3.4).</summary>
internal sealed class PromptLogprob
{
    public required double Logprob { get; init; }

    public required int Rank { get; init; }

    public required string DecodedToken { get; init; }
}

internal sealed class Usage
{
    public required int PromptTokens { get; init; }

    public required int CompletionTokens { get; init; }

    public int TotalTokens => PromptTokens + CompletionTokens;
}
