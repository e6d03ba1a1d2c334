namespace MockServer.Dialects;

/// <summary>What a JSON boolean or a numeric string in a numeric field becomes (spec-facts §1.1, §9 Q2, §12.1).</summary>
internal enum CoercionPolicy
{
    /// <summary>A type error, 400 <c>invalid_type</c> (OpenAI, the strict provider).</summary>
    Refused,

    /// <summary>Read as the number it stands for (<c>true</c> → 1, <c>"16"</c> → 16), then range-checked like one.</summary>
    Coerced,
}

/// <summary>What an unknown top-level request field gets (spec-facts §0.3, §9 Q1).</summary>
internal enum UnknownParameterPolicy
{
    /// <summary>400 <c>unknown_parameter</c> naming it (OpenAI, the strict provider).</summary>
    Refused,

    /// <summary>Accepted and ignored (vLLM since v0.6.5, llama.cpp).</summary>
    Ignored,
}

/// <summary>What <c>stream_options</c> without <c>stream: true</c> gets (spec-facts §1.2, §9 Q21).</summary>
internal enum StreamOptionsPolicy
{
    /// <summary>400, even for <c>{}</c> (OpenAI; the provider's choice, §11.1).</summary>
    RefusedAlways,

    /// <summary>400 only for a non-empty object: vLLM tests the dict's truth, so <c>{}</c> passes.</summary>
    RefusedWhenNonEmpty,

    /// <summary>Never judged (llama.cpp reads only what it uses, §12.1).</summary>
    Ignored,
}

/// <summary>What <c>max_tokens</c> of 0, a negative value, null or none means (spec-facts §1.2, §12.1).</summary>
internal enum MaxTokensPolicy
{
    /// <summary>Absent or null is 16; 0 only with echo; negative refused (OpenAI, vLLM).</summary>
    Strict,

    /// <summary>-1, null or none: until the context is full; 0: one token anyway (llama.cpp, §12.1).</summary>
    LlamaCpp,
}

/// <summary>The type of <c>error.code</c> (spec-facts §6.1, §10 item 7).</summary>
internal enum ErrorCodeKind
{
    /// <summary>A string naming the case, or null (OpenAI; the provider's choice, §11.2).</summary>
    StringOrNull,

    /// <summary>The HTTP status as an integer (vLLM ≥ v0.10.1, llama.cpp).</summary>
    HttpStatus,
}

/// <summary>The shape of <c>logprobs</c> on <c>/v1/completions</c> (spec-facts §3.1, §3.2).</summary>
internal enum CompletionLogprobsShape
{
    /// <summary>The legacy four arrays (OpenAI, vLLM).</summary>
    Legacy,

    /// <summary><c>{"content": [{id, token, bytes, logprob, top_logprobs}]}</c>, as chat's (llama.cpp, §3.2, §12.1).</summary>
    ChatShaped,
}

/// <summary>Where a streamed completion's finish and usage go (spec-facts §4.3, §4.4, §12.1).</summary>
internal enum CompletionStreamEnd
{
    /// <summary>
    /// The finish on the chunk of the last visible token; usage only with <c>include_usage</c>, in a last chunk with
    /// <c>choices: []</c> (vLLM behind the strict provider, §11.4).
    /// </summary>
    FinishOnLastTokenUsageWhenIncluded,

    /// <summary>
    /// A last chunk with <c>text: ""</c>, the finish and the usage, whatever <c>stream_options</c> says; never a
    /// <c>choices: []</c> chunk (llama.cpp, §12.1).
    /// </summary>
    EmptyFinishChunkWithUsage,
}

/// <summary>What a response's <c>model</c> says (spec-facts §2.2 I5, §12.1).</summary>
internal enum ResponseModelName
{
    /// <summary>The underlying model (the fixture's <c>root</c>), as the provider's docs show it.</summary>
    Root,

    /// <summary>The served alias (vLLM's first <c>--served-model-name</c>, llama.cpp's alias).</summary>
    Alias,
}

/// <summary>The extra keys of a <c>/v1/models</c> card (spec-facts §7).</summary>
internal enum ModelCardShape
{
    /// <summary>vLLM's <c>root</c>, <c>parent</c>, <c>max_model_len</c> and <c>permission</c>.</summary>
    Vllm,

    /// <summary>llama.cpp's <c>meta</c> object, <c>owned_by: "llamacpp"</c>, none of vLLM's keys.</summary>
    LlamaCpp,
}

/// <summary>One documented way a dialect differs from OpenAI's wire, as <c>docs/dialects.md</c> lists it.</summary>
/// <param name="Id">Stable id, <c>dialect.what</c> (e.g. <c>vllm.booleans-coerced</c>).</param>
/// <param name="Description">One line: what a client sees.</param>
/// <param name="Spec">Where spec-facts says so (e.g. <c>§9 Q2</c>).</param>
internal sealed record Quirk(string Id, string Description, string Spec);
