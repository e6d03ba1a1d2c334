namespace MockServer.Wire;

/// <summary>
/// One SSE chunk of a streamed completion. Mutable on purpose: a stream reuses one instance per frame
/// instead of allocating a graph per token. Keys are always written (spec-facts §4.2).
/// </summary>
internal sealed class CompletionChunk
{
    public required string Id { get; init; }

    public string Object { get; } = "text_completion";

    /// <summary>Constant per stream, or re-read per chunk in llama.cpp's dialect (spec-facts §9 Q15).</summary>
    public required long Created { get; set; }

    public required string Model { get; init; }

    /// <summary>An array, not a list interface: the serializer walks it without an enumerator per frame.</summary>
    public required ChunkChoice[] Choices { get; set; }

    public Usage? Usage { get; set; }

    /// <summary>llama.cpp's timings on the last chunk (spec-facts §12.1); absent elsewhere and in the other dialects.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public LlamaTimings? Timings { get; set; }
}

internal sealed class ChunkChoice
{
    public int Index { get; set; }

    public string Text { get; set; } = "";

    /// <summary>A <see cref="Wire.Logprobs"/> or, in llama.cpp's dialect, a <see cref="ContentLogprobs"/> (written as its runtime type).</summary>
    public object? Logprobs { get; set; }

    public string? FinishReason { get; set; }

    public string? StopReason { get; set; }
}
