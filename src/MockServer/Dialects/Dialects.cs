namespace MockServer.Dialects;

/// <summary>The dialects the mock serves, by the suite's profile names.</summary>
internal static class Dialects
{
    /// <summary>OpenAI's chat wire (spec-facts §5): role chunk with empty content, separate finish chunk, opt-in usage chunk.</summary>
    public static readonly Dialect OpenAi = new()
    {
        Name = "openai",
        Description = "OpenAI: role chunk with content \"\", a separate finish chunk with an empty delta, usage only with include_usage in a choices: [] chunk.",
        RoleContent = RoleChunkContent.Empty,
        Finish = FinishPlacement.SeparateEmptyDelta,
        Usage = UsagePlacement.SeparateChunkWhenIncluded,
        UsageNullWhenIncluded = true,
        MaxCompletionLogprobs = 5,
        Quirks =
        [
            new("openai.completions-as-provider", "Completions keep the strict provider's rules (acs) except the logprobs ceiling: the reference wire the other dialects are described against is OpenAI's chat.", "§11"),
            new("openai.logprobs-up-to-5", "Completions refuse logprobs above 5, OpenAI's documented ceiling (vLLM and the strict provider allow 20).", "§1.2, §10 item 3"),
        ],
    };

    /// <summary>The seed chat provider (provider-docs/llmbase-chat-stream.txt, spec-facts §13).</summary>
    public static readonly Dialect Llmbase = new()
    {
        Name = "llmbase",
        Description = "The seed chat provider: role chunk without content, a final chunk with delta {}, the finish_reason and usage in every stream.",
        RoleContent = RoleChunkContent.Absent,
        Finish = FinishPlacement.SeparateEmptyDelta,
        Usage = UsagePlacement.FinalChunkAlways,
        LogprobsNullInChunks = false,
        Quirks =
        [
            new("llmbase.role-without-content", "The first chat chunk's delta is {\"role\": \"assistant\"}, with no content key.", "§13"),
            new("llmbase.usage-on-final-chunk", "Every chat stream ends with a delta {} chunk carrying the finish_reason and the usage; no stream_options needed, no choices: [] chunk.", "§13"),
            new("llmbase.no-logprobs-key", "Chat chunks without logprobs omit the logprobs key.", "§13"),
            new("llmbase.completions-as-provider", "Completions keep the strict provider's rules (acs).", "§11"),
        ],
    };

    /// <summary>
    /// The strict base-model provider. Its docs describe completions only; a chat request to one of its models meets
    /// the strict gateway, which answers as OpenAI does (our choice, recorded in the README).
    /// </summary>
    public static readonly Dialect Acs = OpenAi with
    {
        Name = "acs",
        Description = "The strict base-model provider (default for completions); its chat follows OpenAI's wire.",
        MaxCompletionLogprobs = Validation.RequestLimits.MaxLogprobs,
        Quirks =
        [
            new("acs.strict-gateway", "Unknown parameters, JSON booleans and numeric strings in numeric fields are refused with 400 naming the parameter.", "§11.1"),
            new("acs.vllm-ranges", "vLLM's ranges where stricter than OpenAI's: top_p 0 refused; logprobs up to 20; prompt_logprobs refused while streaming.", "§1.2, §10 items 3, 8"),
            new("acs.stream-options-empty-refused", "stream_options without stream: true is refused, {} included.", "§9 Q21, §11.1"),
            new("acs.vllm-keys", "Completion choices carry stop_reason and prompt_logprobs (null when unset); content chunks carry usage: null; model cards carry root, parent, max_model_len and permission.", "§2.1, §4.2, §7"),
            new("acs.finish-on-last-token", "A streamed completion's finish_reason rides on the chunk of its last visible token, never on empty text.", "§4.3, §11.4"),
            new("acs.model-is-root", "Responses name the underlying model (the fixture's root), as the provider's docs show.", "§11.3"),
            new("acs.chat-as-openai", "Chat follows OpenAI's wire (the strict gateway).", "§5"),
        ],
    };

    /// <summary>Raw vLLM, no gateway in front (spec-facts §1.1, §4, §5, §6.1, §9, §11 "vllm-raw").</summary>
    public static readonly Dialect Vllm = new()
    {
        Name = "vllm",
        Description = "Raw vLLM: unknown fields ignored, booleans and numeric strings coerced, integer error.code, chat finish on the last content delta, include_usage true inside stream_options.",
        RoleContent = RoleChunkContent.Empty,
        Finish = FinishPlacement.WithLastContent,
        Usage = UsagePlacement.SeparateChunkWhenIncluded,
        UsageNullWhenIncluded = false, // §5: unset keys are dropped, so content chunks have no usage key
        ChatLogprobsRefusalKey = false,
        ChatStopReason = true,
        Booleans = CoercionPolicy.Coerced,
        NumericStrings = CoercionPolicy.Coerced,
        UnknownParameters = UnknownParameterPolicy.Ignored,
        StreamOptionsWithoutStream = StreamOptionsPolicy.RefusedWhenNonEmpty,
        IncludeUsageDefaultInStreamOptions = true,
        ModelRequired = false,
        RefusesNullCompletionChoices = true, // §1.1: n is int = 1, not Optional
        ErrorCode = ErrorCodeKind.HttpStatus,
        ErrorTypes = new Dictionary<int, string> { [400] = "BadRequestError", [404] = "NotFoundError", [500] = "InternalServerError", [501] = "NotImplementedError" },
        ResponseModel = ResponseModelName.Alias,
        Quirks =
        [
            new("vllm.booleans-coerced", "A JSON boolean in a numeric field is read as 1 or 0 (max_tokens: true is 1 token; n: false is refused as n: 0).", "§1.1 PYD, §9 Q2"),
            new("vllm.numeric-strings-coerced", "A numeric string in a numeric field is read as its number (\"16\" is 16); boolean fields take \"true\", 1 and the like (pydantic lax mode).", "§1.1 PYD, §9 Q2"),
            new("vllm.unknown-parameters-ignored", "Unknown or misspelled top-level fields are accepted and ignored (completions and chat).", "§0.3 vllm#10463, §9 Q1"),
            new("vllm.integer-error-code", "error.code is the HTTP status as an integer; error.type is vLLM's exception name (BadRequestError, NotFoundError, InternalServerError).", "§6.1, §6.2, §10 item 7"),
            new("vllm.include-usage-default-true", "stream_options given without include_usage (e.g. {}) sends the usage chunk: vLLM's include_usage defaults to true.", "§4.4, §9 Q11"),
            new("vllm.stream-options-empty-accepted", "stream_options: {} without stream: true is accepted; a non-empty object is refused.", "§1.2, §9 Q21"),
            new("vllm.completions-n-null-refused", "Completions' n: null is refused (400, an integer is expected), not read as absent; chat reads it as absent.", "§1.1"),
            new("vllm.model-optional", "A request without model (or model: null) is answered by the served model.", "§1.2"),
            new("vllm.model-is-alias", "Responses name the served alias, not the underlying model.", "§2.2 I5, §9 Q17"),
            new("vllm.chat-finish-with-last-content", "A streamed chat choice's finish_reason rides on its last content delta, not on a separate delta: {} chunk.", "§5, §10 item 4"),
            new("vllm.chat-stop-reason", "Chat choices carry stop_reason (non-streamed, and on the finish chunk).", "§5, §9 Q13"),
            new("vllm.chat-no-usage-key", "Chat content chunks have no usage key (unset keys are dropped), even with include_usage.", "§4.4, §5"),
            new("vllm.chat-logprobs-no-refusal", "Chat logprobs objects carry content only, no refusal key.", "§3.3"),
            new("vllm.completion-keys", "Completion choices carry stop_reason and prompt_logprobs; content chunks carry usage: null; model cards carry root, parent, max_model_len and permission.", "§2.1, §4.2, §7"),
        ],
        NotReproduced =
        [
            new("vllm.unauthorized-string", "A 401 is {\"error\": \"Unauthorized\"} in vLLM; the mock keeps a structured envelope (with the integer code), so every error stays readable.", "§6.1"),
            new("vllm.validation-wording", "vLLM's message texts and its pydantic type \"Bad Request\" are not copied: clients must not key on messages (§1.1); the mock keeps its own, naming the parameter.", "§1.1, §1.2"),
            new("vllm.empty-finish-on-eos", "vLLM may send a completion's finish on a chunk of text \"\" after an end-of-text token; the mock always combines it with the last visible token, which vLLM also does.", "§4.3"),
            new("vllm.per-listing-stamps", "vLLM mints a model card's created and permission id per listing; the mock keeps them stable.", "§7, §11.7"),
            new("vllm.id-length", "vLLM ids carry 32 hex digits; the mock's carry 16, as the provider docs show.", "§2.2 I4"),
        ],
    };

    /// <summary>A current llama.cpp server as spec-facts §12 observed it, plus §3.2, §4, §6.1 and §9 where §12 is silent.</summary>
    public static readonly Dialect LlamaCpp = new()
    {
        Name = "llamacpp",
        Description = "A current llama.cpp server (spec-facts §12): booleans coerced, unknown fields, echo and model ignored, 500 on invalid JSON, chat-shaped logprobs, usage on the finish chunk, chatcmpl- ids, integer error.code without param.",
        RoleContent = RoleChunkContent.Null,
        Finish = FinishPlacement.SeparateEmptyDelta,
        Usage = UsagePlacement.SeparateChunkWhenIncluded,
        UsageNullWhenIncluded = false, // §12.2: no usage key on content frames
        LogprobsNullInChunks = false,
        ChatLogprobsRefusalKey = false,
        SystemFingerprint = "b10587-mock", // §12.2: the build id
        SamplingDefaults = new() { Temperature = 0.8, TopK = 40, TopP = 0.95, MinP = 0.05 }, // §9 Q18, LCPP README
        FallbackChatTemplate = "chatml", // §9 Q23
        Booleans = CoercionPolicy.Coerced,
        NumericStrings = CoercionPolicy.Refused, // §12.1: "type must be number, but is string"
        UnknownParameters = UnknownParameterPolicy.Ignored,
        IgnoredCompletionParameters = new HashSet<string>(StringComparer.Ordinal) { "best_of", "echo", "prompt_logprobs" }, // §12.1; best_of and prompt_logprobs are vLLM's (§9 Q1: unknown)
        StreamOptionsWithoutStream = StreamOptionsPolicy.Ignored,
        MaxTokens = MaxTokensPolicy.LlamaCpp,
        RefusesGreedyChoices = false, // the greedy rule is vLLM's (§1.2 n row)
        ModelRequired = false,
        ValidatesModelName = false,
        ChecksContentType = false,
        InvalidJsonStatus = 500,
        ErrorCode = ErrorCodeKind.HttpStatus,
        ErrorParamKey = false,
        ErrorTypes = new Dictionary<int, string>
        {
            [401] = "authentication_error", [403] = "permission_error", [404] = "not_found_error",
            [500] = "server_error", [501] = "not_supported_error", [503] = "unavailable_error",
        },
        CompletionIdPrefix = "chatcmpl-",
        ResponseModel = ResponseModelName.Alias,
        CompletionLogprobs = CompletionLogprobsShape.ChatShaped,
        CompletionStreamEnd = CompletionStreamEnd.EmptyFinishChunkWithUsage,
        CompletionVllmKeys = false,
        ModelCard = ModelCardShape.LlamaCpp,
        CreatedPerChunk = true, // §4.2, §9 Q15
        Timings = true, // §12.1, §12.2
        Quirks =
        [
            new("llamacpp.booleans-coerced", "A JSON boolean in a numeric field is read as 1 or 0 (max_tokens: true is 1 token; n: false is refused as n: 0).", "§12.1"),
            new("llamacpp.numeric-strings-refused", "A numeric string in a numeric field is refused (400), unlike vLLM.", "§12.1"),
            new("llamacpp.unknown-parameters-ignored", "Unknown top-level fields are accepted and ignored; so are echo, best_of and prompt_logprobs (vLLM's), and stream_options without stream.", "§12.1, §9 Q1"),
            new("llamacpp.greedy-choices-served", "temperature 0 with n above 1 is served (n identical choices), not refused as vLLM refuses it.", "§1.2, §12.1"),
            new("llamacpp.max-tokens-lenient", "max_tokens: -1, null or none generates until the context is full; max_tokens: 0 still generates one token.", "§12.1"),
            new("llamacpp.invalid-json-500", "A body that is not JSON (an empty one included) gets 500 server_error with the parser's message: the one 5xx a valid server sends for client input.", "§12.1"),
            new("llamacpp.content-type-unchecked", "Content-Type is not checked: a JSON body sent as text/plain is served.", "§12.1"),
            new("llamacpp.model-not-validated", "Any model name, or none, is answered by the served model (the first that serves the endpoint), and named by its alias.", "§12.1"),
            new("llamacpp.error-shape", "Errors are {\"error\": {\"code\": <int status>, \"message\", \"type\"}} with no param; types by status (not_found_error, authentication_error, server_error, unavailable_error).", "§6.1, §12.1"),
            new("llamacpp.chat-shaped-logprobs", "Completions logprobs come in chat's shape, {\"content\": [{id, token, bytes, logprob, top_logprobs}]}, streamed per chunk and not.", "§3.2, §12.1"),
            new("llamacpp.usage-on-finish-chunk", "A streamed completion ends with a chunk of text \"\" carrying the finish_reason and the usage, whatever stream_options says; never a choices: [] chunk.", "§4.3, §12.1"),
            new("llamacpp.chatcmpl-ids", "Text completions get ids that start chatcmpl-.", "§9 Q16, §12.1"),
            new("llamacpp.no-vllm-keys", "Completion choices have no stop_reason or prompt_logprobs; chunks have no usage key until the last; model cards carry meta and owned_by llamacpp instead of vLLM's keys.", "§7, §9 Q13, §12.1"),
            new("llamacpp.chat-role-content-null", "The first chat chunk's delta is {\"role\": \"assistant\", \"content\": null}.", "§12.2"),
            new("llamacpp.chat-usage-when-included", "Chat streams have usage only with include_usage: true, in a choices: [] chunk; no usage key elsewhere; no logprobs key unless requested.", "§12.2"),
            new("llamacpp.timings", "A stream's last chunk (the completions finish chunk; chat's finish or usage chunk) and a non-streamed completion carry timings: prompt_n, prompt_ms, predicted_n, predicted_ms, from the mock's timing model.", "§12.1, §12.2"),
            new("llamacpp.created-per-chunk", "Each chunk's created is read from the clock as it is written, so it may tick within a stream.", "§4.2, §9 Q15"),
            new("llamacpp.default-sampling", "Omitted sampler parameters take llama.cpp's defaults: temperature 0.8, top_k 40, top_p 0.95, min_p 0.05.", "§9 Q18"),
            new("llamacpp.chatml-fallback", "Chat to a model without a chat template is rendered with ChatML instead of refused.", "§9 Q23"),
            new("llamacpp.system-fingerprint", "Chat chunks and responses, and non-streamed completions, carry system_fingerprint (the build id).", "§12.2"),
        ],
        NotReproduced =
        [
            new("llamacpp.connection-close", "llama.cpp closes the connection after an SSE stream without Connection: close; the mock keeps it open (a transport trap, not a wire shape).", "§12.1"),
            new("llamacpp.one-model", "llama.cpp lists exactly one model; the mock lists every model its fixtures declare.", "§7"),
        ],
    };

    public static IReadOnlyList<Dialect> All { get; } = [Acs, Llmbase, OpenAi, Vllm, LlamaCpp];

    public static Dialect? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
