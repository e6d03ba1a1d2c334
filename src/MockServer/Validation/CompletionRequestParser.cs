using System.Globalization;
using System.Text.Json;
using MockServer.Catalog;
using MockServer.Dialects;
using MockServer.Errors;
using MockServer.Generation;
using MockServer.Tokenization;
using static MockServer.Validation.StrictJson;

namespace MockServer.Validation;

/// <summary>
/// Turns a request body into a <see cref="CompletionRequest"/> or throws <see cref="ApiErrorException"/>. The rules are
/// the provider's (spec-facts §11.1): unknown fields are rejected, a JSON boolean is never a number, numeric
/// strings are not coerced, ranges are vLLM's where OpenAI's are looser (top_p 0, logprobs up to 20), and every
/// error names the parameter.
/// </summary>
internal sealed class CompletionRequestParser(ModelCatalog catalog, Tokenizer tokenizer, RequestPolicy policy)
{
    private const int MaxChoices = RequestLimits.MaxChoices;
    private const int MaxLogprobs = RequestLimits.MaxLogprobs;

    /// <summary>Reads a body in the dialect of the model it names, else the server's (spec-facts §9: each reads a body its own way).</summary>
    public CompletionRequest Parse(JsonElement root) => Parse(root, RequestDialect.ForBody(catalog, root));

    /// <summary>Reads a body in <paramref name="dialect"/>, which the JSON pipeline has settled already (<see cref="RequestDialect.ForModel"/>).</summary>
    public CompletionRequest Parse(JsonElement root, Dialect dialect)
    {
        var lax = new LaxValues(dialect);
        var ignoreUnknown = dialect.UnknownParameters == UnknownParameterPolicy.Ignored;
        var lenientMax = dialect.MaxTokens == MaxTokensPolicy.LlamaCpp;
        CheckTopLevel(root, ParameterNames.Completions, ignoreUnknown);

        string? modelId = null;
        List<PromptInput>? prompts = null;
        long? maxTokens = null, n = null, bestOf = null, logprobs = null, promptLogprobs = null;
        bool? echo = null, stream = null, includeUsage = null;
        bool hasStreamOptions = false, emptyStreamOptions = true;
        IReadOnlyList<string> stop = [];

        var sampling = new SamplingFields(lax);
        foreach (var property in root.EnumerateObject())
        {
            var v = property.Value;
            if ((ignoreUnknown && !ParameterNames.Completions.Contains(property.Name)) || dialect.IgnoredCompletionParameters.Contains(property.Name))
            {
                continue; // read past as vLLM and llama.cpp do (spec-facts §0.3, §12.1)
            }

            if (sampling.TryRead(property.Name, v, tokenizer.Vocabulary))
            {
                continue;
            }

            switch (property.Name)
            {
                case "model": modelId = ReadString("model", v); break;
                case "prompt": prompts = ReadPrompts(v); break;
                case "suffix": RejectSuffix(v); break;
                case "user": ReadString("user", v); break;
                // llama.cpp: a negative max_tokens means "until the context is full" (spec-facts §12.1).
                case "max_tokens": maxTokens = ReadInteger("max_tokens", lax.Number(v), lenientMax ? long.MinValue : 0, int.MaxValue); break;
                case "n": n = ReadInteger("n", lax.Number(RefuseNull("n", v, dialect.RefusesNullCompletionChoices)), 1, MaxChoices); break;
                case "best_of": bestOf = ReadInteger("best_of", lax.Number(v), 1, RequestLimits.MaxBestOf); break;
                case "logprobs": logprobs = ReadInteger("logprobs", lax.Number(v), 0, dialect.MaxCompletionLogprobs); break;
                case "prompt_logprobs": promptLogprobs = ReadInteger("prompt_logprobs", lax.Number(v), 0, MaxLogprobs); break;
                case "echo": echo = ReadBoolean("echo", lax.Flag(v)); break;
                case "stream": stream = ReadBoolean("stream", lax.Flag(v)); break;
                case "stream_options": (hasStreamOptions, emptyStreamOptions, includeUsage) = ReadStreamOptions(v, dialect); break;
                case "stop": stop = ReadStop(v); break;
                default: throw new InvalidOperationException($"Parameter '{property.Name}' is accepted but not handled.");
            }
        }

        if (modelId is null && dialect.ModelRequired)
        {
            throw Fail(ApiError.MissingParameter("model"));
        }

        if (prompts is null)
        {
            throw Fail(ApiError.MissingParameter("prompt"));
        }

        var streaming = stream == true;
        var echoing = echo == true;
        CheckStreamOptions(hasStreamOptions, streaming, emptyStreamOptions, dialect.StreamOptionsWithoutStream);

        if (promptLogprobs is not null && streaming)
        {
            throw Fail(ApiError.InvalidValue("prompt_logprobs", "'prompt_logprobs' is not available when 'stream' is true; request it without streaming."));
        }

        // llama.cpp: none, null or negative fills the context (settled once the model is known); 0 still makes one token.
        var fillContext = lenientMax && maxTokens is null or < 0;
        var max = lenientMax && maxTokens == 0 ? 1 : (int)(fillContext ? 1 : maxTokens ?? 16);
        if (max == 0 && !echoing)
        {
            throw Fail(new ApiError(400, "Invalid 'max_tokens': integer below minimum value. Expected a value >= 1 (0 is allowed only with 'echo': true), but got 0 instead.",
                ApiError.InvalidRequest, "max_tokens", "integer_below_min_value"));
        }

        var choices = (int)(n ?? 1);
        var candidates = (int)(bestOf ?? choices);
        if (candidates < choices)
        {
            throw Fail(ApiError.InvalidValue("best_of", $"'best_of' must be greater than or equal to 'n', but got best_of={candidates} and n={choices}."));
        }

        if (streaming && candidates > choices)
        {
            throw Fail(ApiError.InvalidValue("best_of", "'best_of' greater than 'n' cannot be streamed: the best candidates are only known at the end."));
        }

        var temp = sampling.Temperature;
        if (temp == 0 && candidates > 1 && dialect.RefusesGreedyChoices)
        {
            throw Fail(ApiError.InvalidValue(bestOf > choices ? "best_of" : "n", $"'n' and 'best_of' must be 1 when using greedy sampling (temperature 0), but got {candidates}."));
        }

        // Each prompt is a sequence too: too many prompts is the prompt's fault, too many per prompt is n's (or best_of's).
        if (prompts.Count > MaxChoices)
        {
            throw Fail(ApiError.InvalidValue("prompt", $"'prompt' holds {prompts.Count} prompts; the limit is {MaxChoices} per request."));
        }

        if (prompts.Count * candidates > MaxChoices)
        {
            throw Fail(ApiError.InvalidValue(candidates > choices ? "best_of" : "n", $"This request would generate {prompts.Count * candidates} sequences ({prompts.Count} prompts x {candidates}); the limit is {MaxChoices}."));
        }

        // Prompts are scored for prompt_logprobs, and for echo with logprobs.
        var scorePrompts = promptLogprobs is not null || (echoing && logprobs is not null);
        var positions = (long)prompts.Count * candidates * max + (scorePrompts ? prompts.Sum(p => (long)p.Tokens.Count) : 0);
        var alternatives = RequestPolicy.EntriesPerPosition(logprobs is not null || promptLogprobs is not null ? (int)Math.Max(logprobs ?? 0, promptLogprobs ?? 0) : null);
        if (!fillContext)
        {
            CheckBudget(positions, alternatives, prompts.Count, candidates, max, scorePrompts);
        }

        var model = ResolveModel(catalog, dialect, modelId, m => m.Capabilities.Completions);
        if (!model.Capabilities.Completions)
        {
            // What /v1/models?metadata=true advertises is what is served; OpenAI's words for a chat-only model.
            throw Fail(new ApiError(400, "This is a chat model and not supported in the v1/completions endpoint. Did you mean to use v1/chat/completions?",
                ApiError.InvalidRequest, "model", "model_not_supported"));
        }

        if (fillContext)
        {
            max = Math.Max(1, model.MaxModelLen - prompts.Max(p => p.Tokens.Count));
            positions = (long)prompts.Count * candidates * max + (scorePrompts ? prompts.Sum(p => (long)p.Tokens.Count) : 0);
            CheckBudget(positions, alternatives, prompts.Count, candidates, max, scorePrompts);
        }

        foreach (var prompt in prompts)
        {
            RequestPolicy.CheckContextLength(model, prompt.Tokens.Count, max, "prompt", "max_tokens");
        }

        return new CompletionRequest
        {
            Model = model,
            Prompts = prompts,
            MaxTokens = max,
            N = choices,
            BestOf = candidates,
            Echo = echoing,
            Stream = streaming,
            IncludeUsage = includeUsage ?? (hasStreamOptions && dialect.IncludeUsageDefaultInStreamOptions), // vLLM: true inside stream_options (§4.4)
            Logprobs = (int?)logprobs,
            PromptLogprobs = (int?)promptLogprobs,
            Stop = stop,
            Seed = sampling.Seed,
            Sampling = sampling.Build(),
        };
    }

    /// <summary>
    /// The model a request is answered by (spec-facts §1.2, §12.1): the one it names; a dialect without a required model
    /// serves a request naming none with the first model that <paramref name="serves"/> the endpoint, and one that does
    /// not validate names serves an unknown name the same way.
    /// </summary>
    internal static ServedModel ResolveModel(ModelCatalog catalog, Dialect dialect, string? modelId, Func<ServedModel, bool> serves)
    {
        if (modelId is not null && catalog.Find(modelId) is { } named)
        {
            return named;
        }

        if (modelId is null || !dialect.ValidatesModelName)
        {
            return catalog.Default(serves) ?? throw Fail(modelId is null ? ApiError.MissingParameter("model") : ApiError.ModelNotFound(modelId, catalog.DescribeIds()));
        }

        throw Fail(ApiError.ModelNotFound(modelId, catalog.DescribeIds()));
    }

    private void CheckBudget(long positions, int alternatives, int prompts, int candidates, int max, bool scorePrompts) =>
        policy.CheckBudget(positions, alternatives, (Prompts: prompts, candidates, max, scorePrompts), static s => string.Create(CultureInfo.InvariantCulture,
            $"{s.Prompts} prompts x {s.candidates} sequences x {s.max} max_tokens{(s.scorePrompts ? ", plus the scored prompt tokens" : "")}"), "max_tokens");

    /// <summary><paramref name="v"/>, unless it is null where the dialect declares the field non-Optional (vLLM's completions <c>n</c>, spec-facts §1.1).</summary>
    private static JsonElement RefuseNull(string name, JsonElement v, bool refused) =>
        refused && v.ValueKind == JsonValueKind.Null ? throw Fail(ApiError.InvalidType(name, "an integer", Describe(v))) : v;

    private static void RejectSuffix(JsonElement v)
    {
        if (ReadString("suffix", v) is { Length: > 0 })
        {
            throw Fail(new ApiError(400, "'suffix' is not supported by these base models; send the full prompt instead.", ApiError.InvalidRequest, "suffix", "unsupported_parameter"));
        }
    }

    private List<PromptInput> ReadPrompts(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.String:
                var text = TextOf(v, "prompt");
                return [new PromptInput(text, tokenizer.TokenizePrompt(text))];
            case JsonValueKind.Array when v.GetArrayLength() == 0:
                throw Fail(ApiError.InvalidValue("prompt", "'prompt' must not be an empty array."));
            case JsonValueKind.Array:
                var first = v[0].ValueKind;
                var prompts = new List<PromptInput>();
                if (first == JsonValueKind.Number)
                {
                    prompts.Add(ReadTokenPrompt(v));
                    return prompts;
                }

                foreach (var item in v.EnumerateArray())
                {
                    if (item.ValueKind != first || first is not (JsonValueKind.String or JsonValueKind.Array))
                    {
                        throw Fail(ApiError.InvalidType("prompt", "a string, an array of strings, or an array of token ids", $"an array containing {Describe(item)}"));
                    }

                    prompts.Add(first == JsonValueKind.String
                        ? new PromptInput(TextOf(item, "prompt"), tokenizer.TokenizePrompt(TextOf(item, "prompt")))
                        : ReadTokenPrompt(item));
                }

                return prompts;
            case JsonValueKind.Null:
                throw Fail(ApiError.MissingParameter("prompt"));
            default:
                throw Fail(ApiError.InvalidType("prompt", "a string or an array", Describe(v)));
        }
    }

    /// <summary>A prompt given as token ids: used as is, no beginning-of-text added (as vLLM does).</summary>
    private PromptInput ReadTokenPrompt(JsonElement array)
    {
        if (array.GetArrayLength() == 0)
        {
            throw Fail(ApiError.InvalidValue("prompt", "A token-id prompt must not be empty."));
        }

        var tokens = new List<Token>(array.GetArrayLength());
        var text = new System.Text.StringBuilder();
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.Number || !item.TryGetInt32(out var id))
            {
                throw Fail(ApiError.InvalidType("prompt", "token ids (integers)", Describe(item)));
            }

            if (!tokenizer.Vocabulary.TryGetText(id, out var piece))
            {
                throw Fail(ApiError.InvalidValue("prompt", $"Token id {id} is outside this model's vocabulary (0-{tokenizer.Vocabulary.Count - 1}, {Vocabulary.BeginOfTextId}, {Vocabulary.EndOfTextId})."));
            }

            tokens.Add(new Token(id, piece));
            if (id < Vocabulary.BeginOfTextId)
            {
                text.Append(piece); // special tokens are skipped when detokenizing, as vLLM's skip_special_tokens does
            }
        }

        return new PromptInput(text.ToString(), tokens);
    }
}
