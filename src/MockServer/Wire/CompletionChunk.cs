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

    /// <summary>
    /// The frame's logprobs in vLLM's and OpenAI's shape. Typed, not <see cref="object"/>: a property of type object
    /// takes the serializer's source-generated fast path away from the whole chunk (bench/README.md, "Issue 11").
    /// </summary>
    public Logprobs? Logprobs { get; set; }

    /// <summary>The frame's logprobs in llama.cpp's chat shape; written under <c>logprobs</c> in that dialect only (<see cref="WireJson"/>).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public ContentLogprobs? ChatShapedLogprobs { get; set; }

    /// <summary>Sets whichever shape <paramref name="logprobs"/> is (<see cref="ICompletionLogprobs.Take"/>), clearing the other.</summary>
    public void SetLogprobs(object? logprobs)
    {
        Logprobs = logprobs as Logprobs;
        ChatShapedLogprobs = logprobs as ContentLogprobs;
    }

    public string? FinishReason { get; set; }

    public string? StopReason { get; set; }
}
