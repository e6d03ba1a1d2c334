namespace Conformance.Profiles;

/// <summary>What the first (role) delta of a streamed chat choice says about <c>content</c> (spec-facts §5, §12.2, §13).</summary>
/// <remarks>The names match the MockServer's <c>Dialects/Dialect.cs</c>, so a profile and a dialect read alike.</remarks>
internal enum RoleChunkContent
{
    /// <summary><c>{"role": "assistant"}</c>: the seed chat provider (§13).</summary>
    Absent,

    /// <summary><c>{"role": "assistant", "content": ""}</c>: OpenAI and vLLM (§5).</summary>
    Empty,

    /// <summary><c>{"role": "assistant", "content": null}</c>: llama.cpp (§12.2).</summary>
    Null,
}

/// <summary>Where a streamed chat choice's <c>finish_reason</c> goes (spec-facts §10 item 4).</summary>
internal enum FinishPlacement
{
    /// <summary>A chunk of its own with <c>delta: {}</c> after the last content delta (OpenAI, llama.cpp, the seed provider).</summary>
    SeparateEmptyDelta,

    /// <summary>On the chunk of the last content delta, whose <c>content</c> may be "" on EOS (vLLM, §5).</summary>
    WithLastContent,
}

/// <summary>Where a chat stream's usage goes (spec-facts §4.4, §5, §13).</summary>
internal enum UsagePlacement
{
    /// <summary>On the final (finish) chunk of every stream, whatever <c>stream_options</c> says (the seed provider, §13).</summary>
    FinalChunkAlways,

    /// <summary>Only with <c>include_usage: true</c>, in a last chunk with <c>choices: []</c> (OpenAI, vLLM, llama.cpp §12.2).</summary>
    SeparateChunkWhenIncluded,
}

/// <summary>
/// The chat completions wire a profile expects (spec-facts §3.3, §5, §12.2, §13). Data, like the rest of
/// <see cref="Profile"/>: the chat checks read these fields and never the profile's name.
/// </summary>
internal sealed record ChatRules
{
    /// <summary>The keys every profile allows in a streamed delta (OAS ChatCompletionStreamResponseDelta).</summary>
    public static readonly IReadOnlyList<string> CommonDeltaKeys = ["role", "content", "tool_calls", "refusal"];

    /// <summary>The finish reasons OpenAI defines; typed clients throw on any other (spec-facts §5 notes, openai-dotnet#267).</summary>
    public static readonly IReadOnlyList<string> OpenAiFinishReasons = ["stop", "length", "tool_calls", "content_filter", "function_call"];

    public required RoleChunkContent RoleContent { get; init; }

    public required FinishPlacement Finish { get; init; }

    public required UsagePlacement Usage { get; init; }

    /// <summary>
    /// Gets a value indicating whether, in a stream with <c>include_usage</c>, every chunk without usage carries
    /// <c>"usage": null</c> (OpenAI, §4.4); otherwise those chunks omit the key (vLLM, llama.cpp, §9 Q12).
    /// </summary>
    public bool UsageNullWhenIncluded { get; init; }

    /// <summary>Gets the keys a streamed delta may carry; anything else is a key a typed client may not know.</summary>
    public required IReadOnlyList<string> DeltaKeys { get; init; }

    /// <summary>Gets a value indicating whether <c>choices[].message</c> must carry <c>refusal</c> (null or a string).</summary>
    public bool MessageRefusalKey { get; init; }

    /// <summary>Gets a value indicating whether a <c>logprobs</c> object must carry <c>refusal</c> beside <c>content</c> (OAS; vLLM omits it, §3.3).</summary>
    public bool LogprobsRefusalKey { get; init; }

    /// <summary>Gets the pattern a chat completion id must match (spec-facts §9 Q16).</summary>
    public string IdPattern { get; init; } = "^chatcmpl-";

    /// <summary>Gets the finish_reason values a chat choice may carry (spec-facts §5).</summary>
    public IReadOnlyList<string> FinishReasons { get; init; } = OpenAiFinishReasons;
}
