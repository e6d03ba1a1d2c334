namespace MockServer.Dialects;

/// <summary>What the first (role) delta of a streamed chat choice says about <c>content</c> (spec-facts §5, §12.2, §13).</summary>
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

    /// <summary>On the chunk of the last content delta (vLLM).</summary>
    WithLastContent,
}

/// <summary>Where a stream's usage goes (spec-facts §4.4, §5, §13).</summary>
internal enum UsagePlacement
{
    /// <summary>On the final (finish) chunk of every stream, whatever <c>stream_options</c> says (the seed provider, §13).</summary>
    FinalChunkAlways,

    /// <summary>Only with <c>include_usage: true</c>, in a last chunk with <c>choices: []</c> (OpenAI, §4.4).</summary>
    SeparateChunkWhenIncluded,
}

/// <summary>
/// The wire rules that differ between providers, as data read by the request parsers, the chunk mappers and the
/// error writer (REVIEW.md, seam 4): no code branches on a dialect's name. Names are the suite's profile names, so
/// <c>--profile vllm</c> means the same on both sides. Every field defaults to the strict provider's rule (<c>acs</c>),
/// so a dialect states only where it differs, and each difference is listed in <see cref="Quirks"/> for
/// <c>docs/dialects.md</c>.
/// </summary>
internal sealed record Dialect
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    // ---- chat stream (spec-facts §5, §12.2, §13) ----
    public required RoleChunkContent RoleContent { get; init; }

    public required FinishPlacement Finish { get; init; }

    public required UsagePlacement Usage { get; init; }

    /// <summary>Whether chunks without usage carry <c>"usage": null</c> (OpenAI with include_usage, §4.4) rather than omit the key.</summary>
    public bool UsageNullWhenIncluded { get; init; }

    /// <summary>
    /// Whether a chunk choice without logprobs carries <c>"logprobs": null</c> (OpenAI, vLLM) rather than omit the key
    /// (the seed provider's documented chunks have none, §13).
    /// </summary>
    public bool LogprobsNullInChunks { get; init; } = true;

    /// <summary>Whether a chat logprobs object carries <c>"refusal": null</c> beside <c>content</c> (OpenAI; vLLM and llama.cpp have none, §3.3).</summary>
    public bool ChatLogprobsRefusalKey { get; init; } = true;

    /// <summary>Whether chat choices carry vLLM's <c>stop_reason</c> (non-streamed, and on the finish chunk, §5 notes).</summary>
    public bool ChatStopReason { get; init; }

    /// <summary>A <c>system_fingerprint</c> on chat chunks and responses, or null for none (llama.cpp's build id, §12.2).</summary>
    public string? SystemFingerprint { get; init; }

    // ---- request rules (spec-facts §1.1, §1.2, §12.1) ----

    /// <summary>
    /// What an omitted sampler parameter is: OpenAI's defaults (temperature 1, top_p 1, no top_k or min_p) or the
    /// server's own (llama.cpp: 0.8, 0.95, 40, 0.05; spec-facts §9 Q18).
    /// </summary>
    public Generation.SamplingParameters SamplingDefaults { get; init; } = new();

    /// <summary>The chat template a model without one is rendered with (llama.cpp: ChatML, §9 Q23), or null: chat answers 400 as vLLM does.</summary>
    public string? FallbackChatTemplate { get; init; }

    /// <summary>What a JSON boolean in a numeric field becomes (§9 Q2).</summary>
    public CoercionPolicy Booleans { get; init; }

    /// <summary>What a numeric string in a numeric field becomes (§1.1 PYD); lax booleans (<c>"true"</c>, 1) come with it.</summary>
    public CoercionPolicy NumericStrings { get; init; }

    public UnknownParameterPolicy UnknownParameters { get; init; }

    /// <summary>Known completions fields this dialect reads past as if unknown (llama.cpp ignores <c>echo</c>, §12.1).</summary>
    public IReadOnlySet<string> IgnoredCompletionParameters { get; init; } = new HashSet<string>();

    public StreamOptionsPolicy StreamOptionsWithoutStream { get; init; }

    /// <summary>What <c>include_usage</c> is when <c>stream_options</c> is given without it (vLLM: true, §4.4, §9 Q11).</summary>
    public bool IncludeUsageDefaultInStreamOptions { get; init; }

    public MaxTokensPolicy MaxTokens { get; init; }

    /// <summary>
    /// Whether greedy sampling (temperature 0) with more than one choice (<c>n</c>, or completions' <c>best_of</c>) is
    /// refused, as vLLM does ("n must be 1 when using greedy sampling", spec-facts §1.2 <c>n</c> row); llama.cpp has no
    /// such rule and serves identical choices.
    /// </summary>
    public bool RefusesGreedyChoices { get; init; } = true;

    /// <summary>
    /// Whether completions' <c>n: null</c> is refused rather than read as absent: vLLM declares <c>n: int = 1</c>, not
    /// Optional, so pydantic answers 400 "Input should be a valid integer" (spec-facts §1.1). Its chat request declares
    /// <c>n</c> Optional, so chat reads null as absent everywhere.
    /// </summary>
    public bool RefusesNullCompletionChoices { get; init; }

    /// <summary>Whether a request without <c>model</c> is refused; otherwise the served model answers (vLLM, §1.2).</summary>
    public bool ModelRequired { get; init; } = true;

    /// <summary>Whether an unknown model is 404; otherwise the served model answers (llama.cpp, §12.1).</summary>
    public bool ValidatesModelName { get; init; } = true;

    /// <summary>Whether a non-JSON Content-Type is refused (llama.cpp does not check it, §12.1).</summary>
    public bool ChecksContentType { get; init; } = true;

    /// <summary>The status of a body that is not JSON: 400, or llama.cpp's 500 <c>server_error</c> (§12.1).</summary>
    public int InvalidJsonStatus { get; init; } = 400;

    // ---- errors (spec-facts §6.1) ----
    public ErrorCodeKind ErrorCode { get; init; }

    /// <summary>Whether the error object carries <c>param</c> (llama.cpp's has none, §6.1, §12.1).</summary>
    public bool ErrorParamKey { get; init; } = true;

    /// <summary>The <c>error.type</c> per status where this dialect names it otherwise (llama.cpp, §6.1); other statuses keep the mock's.</summary>
    public IReadOnlyDictionary<int, string> ErrorTypes { get; init; } = new Dictionary<int, string>();

    // ---- completions wire (spec-facts §2, §3, §4) ----

    /// <summary>The id prefix of text completions (llama.cpp: <c>chatcmpl-</c>, §9 Q16, §12.1).</summary>
    public string CompletionIdPrefix { get; init; } = "cmpl-";

    public ResponseModelName ResponseModel { get; init; }

    public CompletionLogprobsShape CompletionLogprobs { get; init; }

    /// <summary>
    /// The largest completions <c>logprobs</c> accepted: OpenAI documents 0..5, vLLM's server caps at its
    /// <c>--max-logprobs</c>, 20 by default (spec-facts §1.2, §10 item 3).
    /// </summary>
    public int MaxCompletionLogprobs { get; init; } = Validation.RequestLimits.MaxLogprobs;

    public CompletionStreamEnd CompletionStreamEnd { get; init; }

    /// <summary>
    /// Whether completion choices carry vLLM's null-valued keys (<c>stop_reason</c>, <c>prompt_logprobs</c>, top-level
    /// <c>service_tier</c>, <c>kv_transfer_params</c>) and content chunks <c>"usage": null</c> (§2.1, §4.2); llama.cpp sends none.
    /// </summary>
    public bool CompletionVllmKeys { get; init; } = true;

    public ModelCardShape ModelCard { get; init; }

    /// <summary>Whether a stream's last chunk and a non-streamed completion carry llama.cpp's <c>timings</c> (§12.1, §12.2).</summary>
    public bool Timings { get; init; }

    /// <summary>Whether each chunk's <c>created</c> is read from the clock as it is written (llama.cpp, §4.2, §9 Q15) rather than fixed per stream.</summary>
    public bool CreatedPerChunk { get; init; }

    /// <summary>The documented differences from OpenAI's wire, for <c>docs/dialects.md</c>.</summary>
    public IReadOnlyList<Quirk> Quirks { get; init; } = [];

    /// <summary>What spec-facts records of the real server that the mock does not do, each with why (<c>docs/dialects.md</c>).</summary>
    public IReadOnlyList<Quirk> NotReproduced { get; init; } = [];
}
