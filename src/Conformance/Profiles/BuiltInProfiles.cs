namespace Conformance.Profiles;

/// <summary>The profiles of spec-facts §11 plus llama.cpp. The provider profile <c>acs</c> is the default.</summary>
internal static class BuiltInProfiles
{
    /// <summary>The profile used when none is named.</summary>
    public const string Default = "acs";

    private const CheckLevel Should = CheckLevel.Should;
    private const CheckLevel Divergence = CheckLevel.ExpectedDivergence;
    private const CheckLevel NotApplicable = CheckLevel.NotApplicable;

    private static readonly string[] VllmChoiceKeys = ["index", "text", "logprobs", "finish_reason", "stop_reason"];
    private static readonly string[] VllmCardKeys = ["root", "parent", "max_model_len", "permission"];

    /// <summary>OpenAI's chat wire (spec-facts §5, §3.3, §4.4): role chunk with content "", a separate finish chunk, opt-in usage in a choices: [] chunk.</summary>
    private static readonly ChatRules OpenAiChat = new()
    {
        RoleContent = RoleChunkContent.Empty,
        Finish = FinishPlacement.SeparateEmptyDelta,
        Usage = UsagePlacement.SeparateChunkWhenIncluded,
        UsageNullWhenIncluded = true,
        DeltaKeys = [.. ChatRules.CommonDeltaKeys, "function_call"], // OAS ChatCompletionStreamResponseDelta (function_call deprecated)
        MessageRefusalKey = true,
        LogprobsRefusalKey = true,
    };

    /// <summary>Gets every built-in profile by name.</summary>
    public static IReadOnlyDictionary<string, Profile> All { get; } = new Dictionary<string, Profile>(StringComparer.Ordinal)
    {
        // The strict provider (provider-docs/acs-*.txt, spec-facts §11): vLLM semantics behind a strict gateway.
        ["acs"] = new()
        {
            Name = "acs",
            Description = "The strict provider of provider-docs/ (default): strict validation, provider codes, finish on a non-empty last chunk.",
            DefaultModel = "llama-8b",
            Levels = new Dictionary<string, CheckLevel>
            {
                ["stream.done.blank-line"] = Should, // §8: warn only; the OpenAI SDK stops at [DONE] either way
                ["chat.stream.done.blank-line"] = Should, // the same
                // The schemas pin the exact key set; a key added by a backend upgrade is reported, not fatal.
                ["schema.*"] = Should,
                // §10 item 6: the provider runs vLLM (include_usage defaults to true) behind a gateway whose docs only
                // say usage is opt-in; the mock follows OpenAI, a real deployment may not.
                ["stream.usage.absent-when-options-empty"] = Should,

                // §6.4, §11: optional headers; only OpenAI documents their format [O], and the provider contract names none.
                ["limits.ratelimit-headers"] = Should,

                // chat validation
                ["chat.schema.*"] = Should, // as schema.*: a key a backend upgrade adds is reported, not fatal
            },
            ErrorType = "invalid_request_error",
            RequireParam = true,
            RequireErrorCode = true,
            CodeKind = ErrorCodeKind.StringOrNull,
            RequireAllErrorKeys = true,
            MaxLogprobs = 20,
            FinishTextMayBeEmpty = false,
            IdPattern = "^cmpl-[0-9a-f]{16,32}$", // provider docs show 16 hex digits, spec-facts §2.2 I4 / §11 item 3 say 32
            ChoiceKeys = [.. VllmChoiceKeys, "prompt_logprobs"],
            StreamChoiceKeys = VllmChoiceKeys,
            UsageNullOnContentChunks = true,
            ModelCardKeys = VllmCardKeys,

            // The provider's docs describe completions only; its strict gateway answers chat as OpenAI does (the mock's
            // Dialects.Acs). Its default model is a base model, so the chat gate usually makes chat not applicable.
            Chat = OpenAiChat,
        },

        // OpenAI as served (spec-facts §1.1, §10): typed errors without reliable param/code on legacy completions.
        ["openai"] = new()
        {
            Name = "openai",
            Description = "The public OpenAI spec as OpenAI serves it: logprobs <= 5, param/code not required, no stop_reason.",
            Levels = new Dictionary<string, CheckLevel>
            {
                ["stream.done.blank-line"] = Should, // §8: warn only; the OpenAI SDK stops at [DONE] either way
                ["chat.stream.done.blank-line"] = Should, // the same
                ["schema.*"] = Divergence, // schemas/ pin the acs provider's exact wire; other servers differ by design
                ["validation.range.top_p-zero"] = NotApplicable, // §10 item 8: 0 is valid for OpenAI
                ["validation.range.max_tokens-zero"] = NotApplicable, // OAS: minimum 0
                ["validation.prompt-logprobs.while-streaming"] = NotApplicable, // vLLM extension
                ["logprobs.prompt-logprobs-shape"] = NotApplicable,
                ["completion.stop.reason-names-match"] = NotApplicable, // §10 item 5: no stop_reason
                ["validation.content-type"] = Should,
                ["stream.finish-reason.on-last-content-chunk"] = Should, // §4.3: not pinned for completions
                ["consistency.*"] = Should, // seed is best effort
                ["errors.retry-after"] = Should,
                ["chat.stream.content-equals-non-stream"] = Should, // seed is best effort
                ["chat.stream.usage.matches-non-stream"] = Should, // the same two runs may differ in length

                // chat validation
                ["chat.validation.boolean.top_k.*"] = NotApplicable, // vLLM sampler, not OpenAI's: refused as unknown, not as a type
                ["chat.validation.boolean.min_p.*"] = NotApplicable, // the same
                ["chat.validation.boolean.repetition_penalty.*"] = NotApplicable, // the same
                ["chat.schema.*"] = Should, // the chat schemas admit OpenAI's documented keys; one it adds later is reported, not fatal
            },
            ErrorType = "invalid_request_error",
            CodeKind = ErrorCodeKind.StringOrNull,
            RequireAllErrorKeys = true,
            MaxLogprobs = 5,

            // §6.4 [O]: OpenAI writes resets as Go durations (12ms, 6m0s); a client written against OpenAI parses them so.
            RateLimitResetAsDuration = true,
            FinishReasons = ["stop", "length", "content_filter"], // OAS CreateCompletionResponse
            FinishTextMayBeEmpty = true,
            IdPattern = "^cmpl-",
            ChoiceKeys = ["index", "text", "logprobs", "finish_reason"],
            StreamChoiceKeys = ["index", "text", "logprobs", "finish_reason"],
            ModelCardKeys = [],
            Chat = OpenAiChat,
        },

        // The seed chat provider (provider-docs/llmbase-chat-stream.txt, spec-facts §13). Its docs describe chat
        // completions and the model list only, so the completions categories are not part of its contract.
        ["llmbase"] = new()
        {
            Name = "llmbase",
            Description = "The seed chat provider (provider-docs/llmbase-chat-stream.txt): role chunk without content, a final delta {} chunk with finish_reason and usage in every stream; completions not documented.",
            DefaultModel = "deepseek/deepseek-v4-flash",
            Levels = new Dictionary<string, CheckLevel>
            {
                ["validation.*"] = NotApplicable, // completions validation: chat validation is chat.*
                ["completion.*"] = NotApplicable,
                ["consistency.*"] = NotApplicable,
                ["stream.*"] = NotApplicable, // the completions stream; chat.stream.* judges the chat stream
                ["logprobs.*"] = NotApplicable, // the legacy completions shape; chat.logprobs.* judges chat's
                ["schema.completion"] = NotApplicable,
                ["schema.chunk"] = NotApplicable,
                ["schema.*"] = Divergence, // schemas/ pin the acs provider's exact wire
                ["errors.*"] = Should, // the docs show no error shape; an OpenAI-compatible envelope is what SDKs read
                ["errors.no-5xx"] = CheckLevel.Must, // never a behaviour a provider documents
                ["auth.*"] = Should, // the same: documented only as a Bearer key
                ["chat.stream.done.blank-line"] = Should, // §8: warn only; the OpenAI SDK stops at [DONE] either way
                ["chat.schema.*"] = Should, // the chat schemas admit the docs' wire and OpenAI's documented keys; a key added later is reported, not fatal
                ["limits.ratelimit-headers"] = Should, // §6.4: optional headers whose format only OpenAI documents [O]; others vary (Cerebras: seconds)
            },
            ErrorType = "invalid_request_error",
            CodeKind = ErrorCodeKind.StringOrNull,
            MaxLogprobs = 20,
            FinishTextMayBeEmpty = true,
            IdPattern = "^cmpl-",
            ChoiceKeys = ["index", "text", "finish_reason"],
            StreamChoiceKeys = ["index", "text", "finish_reason"],
            ModelCardKeys = [],

            // §13: the docs' example stream. The message's refusal key and the logprobs' refusal key are not documented,
            // so neither is required; the finish values are OpenAI's, which the OpenAI SDK the docs use accepts.
            Chat = new()
            {
                RoleContent = RoleChunkContent.Absent,
                Finish = FinishPlacement.SeparateEmptyDelta,
                Usage = UsagePlacement.FinalChunkAlways,
                DeltaKeys = ChatRules.CommonDeltaKeys,
            },
        },

        // Raw vLLM (spec-facts §1.1, §9, §11 "vllm-raw").
        ["vllm"] = new()
        {
            Name = "vllm",
            Description = "Raw vLLM: unknown fields ignored, booleans and numeric strings coerced, integer error.code.",
            Levels = new Dictionary<string, CheckLevel>
            {
                ["stream.done.blank-line"] = Should, // §8: warn only; the OpenAI SDK stops at [DONE] either way
                ["chat.stream.done.blank-line"] = Should, // the same
                ["schema.*"] = Divergence, // schemas/ pin the acs provider's exact wire; other servers differ by design
                ["validation.unknown-parameter"] = Divergence, // §0.3 vllm#10463
                ["validation.boolean.*"] = Divergence, // §9 Q2 pydantic lax mode
                ["validation.numeric-string.*"] = Divergence,
                ["validation.stream-options.empty-without-stream"] = Divergence, // §9 Q21
                ["stream.usage.absent-when-options-empty"] = Divergence, // §9 Q11: include_usage defaults to true
                ["validation.missing-model"] = Divergence, // model is optional in recent vLLM
                ["validation.range.temperature-above-max"] = Should, // §9 Q20: only 2026 builds reject
                ["errors.envelope"] = Should, // 401 is {"error":"Unauthorized"} (§6.1)
                ["auth.*"] = Should, // the same string-valued 401 body
                ["errors.retry-after"] = Should,
                ["limits.ratelimit-headers"] = Should, // §6.4: optional headers whose format only OpenAI documents [O]; others vary (Cerebras: seconds)
                ["consistency.seed-repeatable"] = Should,

                // chat validation
                ["chat.validation.unknown-parameter"] = Divergence, // §0.3 vllm#10463: ignored
                ["chat.validation.boolean.*"] = Divergence, // §9 Q2: pydantic lax mode coerces true to 1
                ["chat.validation.logprobs.integer"] = Divergence, // §1.1 PYD: 1 is accepted for a bool field
                ["chat.validation.messages.empty"] = Should, // no minimum length in vLLM's request model [R]: the chat template decides
                ["chat.validation.messages.unknown-role"] = Divergence, // chat_utils CustomChatCompletionMessageParam takes any role by design
                ["chat.validation.messages.unknown-content-part"] = Should, // CustomChatCompletionContentPartParam takes any type; the part parser refuses unknown ones [R]
                ["chat.validation.messages.tool-without-call-id"] = Should, // tool_call_id is Optional in CustomChatCompletionMessageParam; the template decides [R]
                ["chat.tools.finish-reason"] = Divergence, // §5: "stop" for a named tool choice
                ["chat.schema.*"] = Divergence, // stop_reason, reasoning_content, annotations… (§5 notes): another wire by design
            },
            CodeKind = ErrorCodeKind.Integer,
            RequireAllErrorKeys = true,
            MaxLogprobs = 20,
            FinishTextMayBeEmpty = true,
            IdPattern = "^cmpl-",
            ChoiceKeys = VllmChoiceKeys,
            StreamChoiceKeys = VllmChoiceKeys,
            UsageNullOnContentChunks = true,
            ModelCardKeys = VllmCardKeys,

            // spec-facts §5 (V-NEW chat serving): keys that are unset are dropped, so no usage key on content chunks; the
            // finish rides on the last content delta; logprobs objects have no refusal key (§3.3).
            Chat = new()
            {
                RoleContent = RoleChunkContent.Empty,
                Finish = FinishPlacement.WithLastContent,
                Usage = UsagePlacement.SeparateChunkWhenIncluded,
                DeltaKeys = [.. ChatRules.CommonDeltaKeys, "reasoning_content", "reasoning"],
                MessageRefusalKey = true, // §5 notes: message.refusal: null
                FinishReasons = ["stop", "length", "tool_calls"],
            },
        },

        // A current llama.cpp server, as spec-facts §12 observed it (build b10587), plus §3.2, §4.2, §7 and §9 where §12 is silent.
        ["llamacpp"] = new()
        {
            Name = "llamacpp",
            Description = "A current llama.cpp server (spec-facts §12): booleans coerced, numeric strings refused, unknown fields, echo and model ignored, 500 on invalid JSON, chat-shaped logprobs, usage on the finish chunk, chatcmpl- ids, integer error.code without param.",
            Levels = new Dictionary<string, CheckLevel>
            {
                ["stream.done.blank-line"] = Should, // §8: warn only; the OpenAI SDK stops at [DONE] either way
                ["chat.stream.done.blank-line"] = Should, // the same
                ["schema.*"] = Divergence, // schemas/ pin the acs provider's exact wire; other servers differ by design
                ["validation.*"] = Should, // §12.1 records n's range check as the only one in effect
                ["validation.numeric-string.*"] = CheckLevel.Must, // §12.1: "type must be number, but is string"
                ["validation.unknown-parameter"] = Divergence, // §12.1: ignored
                ["validation.boolean.*"] = Divergence, // §12.1: accepted as 1/0 (n: false is then refused as n: 0 is)
                ["validation.missing-model"] = Divergence, // §12.1: the model is not validated
                ["validation.unknown-model"] = Divergence, // §12.1: any model is answered as the served alias
                ["validation.content-type"] = Divergence, // §12.1: Content-Type is not checked
                ["validation.invalid-json"] = Divergence, // §12.1: 500 server_error (see ExpectedServerErrors)
                ["validation.range.max_tokens-zero"] = Divergence, // §12.1: generates one token
                ["validation.range.max_tokens-negative"] = Divergence, // §12.1: generates until the context is full
                ["validation.prompt-logprobs.while-streaming"] = NotApplicable, // vLLM extension, ignored
                ["logprobs.*"] = Divergence, // §3.2, §12.1: the chat shape {content: [...]} on /v1/completions; echo ignored
                ["logprobs.prompt-logprobs-shape"] = NotApplicable, // vLLM extension
                ["stream.usage.present-when-requested"] = Divergence, // §12.1: usage on the finish chunk, never a choices: [] chunk
                ["stream.usage.null-on-content-chunks"] = Divergence, // §12.1: that finish chunk (with choices) carries the usage
                ["stream.usage.absent-when-not-requested"] = Divergence, // §12.1: usage on the finish chunk whatever stream_options says
                ["stream.usage.absent-when-options-empty"] = Divergence, // the same
                ["stream.usage.absent-when-include-usage-false"] = Divergence, // §12.1: including include_usage: false
                ["stream.constant-identity"] = Divergence, // §4.2, §9 Q15: created re-read per chunk
                ["completion.stop.reason-names-match"] = NotApplicable, // §9 Q13: stopping_word instead
                ["errors.retry-after"] = Should,
                ["limits.ratelimit-headers"] = Should, // §6.4: optional headers whose format only OpenAI documents [O]; others vary (Cerebras: seconds)
                ["consistency.*"] = Should,
                ["chat.stream.constant-identity"] = Divergence, // §4.2, §9 Q15: created re-read per chunk
                ["chat.stream.content-equals-non-stream"] = Should, // as consistency.*
                ["chat.stream.usage.matches-non-stream"] = Should,

                // chat validation
                ["chat.validation.*"] = Should, // §12.2 records no chat validation: what llama.cpp refuses there is not observed
                ["chat.validation.unknown-parameter"] = Divergence, // §9 Q1, §12.1: ignored
                ["chat.validation.boolean.*"] = Divergence, // §9 Q2, §12.1: coerced (chat shares the completions parameter parsing [R])
                ["chat.validation.logprobs.integer"] = Divergence, // §9 Q2: a value of the wrong type falls back to the default
                ["chat.tools.*"] = Should, // needs --jinja and a template with tools; not observed (§12.2)
                ["chat.schema.*"] = Divergence, // timings, system_fingerprint, content: null in the role chunk (§12.2)
            },
            CodeKind = ErrorCodeKind.Integer,
            MaxLogprobs = 20,
            FinishTextMayBeEmpty = true, // §12.1: the finish chunk has text ""
            IdPattern = "^chatcmpl-", // §12.1, §9 Q16: text completions too
            ChoiceKeys = ["index", "text", "finish_reason"],
            StreamChoiceKeys = ["index", "text", "finish_reason"],
            ModelCardKeys = [],
            ExpectedServerErrors = ["validation.invalid-json"], // §12.1: counted once, not also by errors.no-5xx

            // §12.2: role frame with content null, a separate delta: {} finish frame, usage only with include_usage in a
            // choices: [] frame, no usage key elsewhere; logprobs {content: [...]} without refusal.
            Chat = new()
            {
                RoleContent = RoleChunkContent.Null,
                Finish = FinishPlacement.SeparateEmptyDelta,
                Usage = UsagePlacement.SeparateChunkWhenIncluded,
                DeltaKeys = [.. ChatRules.CommonDeltaKeys, "reasoning_content"],
                FinishReasons = ["stop", "length", "tool_calls"],
            },
        },
    };
}
