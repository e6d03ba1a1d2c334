using System.Globalization;
using System.Text.Json;
using MockServer.Catalog;
using MockServer.Errors;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Tokenization;

namespace MockServer.Validation;

/// <summary>
/// Turns a request body into a <see cref="CompletionRequest"/> or throws <see cref="ApiErrorException"/>. The rules are
/// the provider's (spec-facts §11.1): unknown fields are rejected, a JSON boolean is never a number, numeric
/// strings are not coerced, ranges are vLLM's where OpenAI's are looser (top_p 0, logprobs up to 20), and every
/// error names the parameter.
/// </summary>
internal sealed class CompletionRequestParser(ModelCatalog catalog, Tokenizer tokenizer, MockServerOptions options)
{
    public const int MaxLogprobs = 20;
    public const int MaxStopSequences = 4;
    public const int MaxChoices = 128;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public CompletionRequest Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fail(new ApiError(400, $"The request body must be a JSON object, but got {Describe(root)}.", ApiError.InvalidRequest, null, "invalid_type"));
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            var name = NameOf(property, null);
            if (!seen.Add(name))
            {
                throw Fail(ApiError.DuplicateParameter(name));
            }

            if (!ParameterNames.Completions.Contains(name))
            {
                throw Fail(ApiError.UnknownParameter(name, ParameterNames.Suggest(name, ParameterNames.Completions)));
            }
        }

        string? modelId = null;
        List<PromptInput>? prompts = null;
        long? maxTokens = null, n = null, bestOf = null, topK = null, logprobs = null, promptLogprobs = null, seed = null;
        double? temperature = null, topP = null, minP = null, presence = null, frequency = null, repetition = null;
        bool? echo = null, stream = null, includeUsage = null;
        var hasStreamOptions = false;
        IReadOnlyList<string> stop = [];
        IReadOnlyDictionary<int, double> logitBias = new Dictionary<int, double>();

        foreach (var property in root.EnumerateObject())
        {
            var v = property.Value;
            switch (property.Name)
            {
                case "model": modelId = ReadString("model", v); break;
                case "prompt": prompts = ReadPrompts(v); break;
                case "suffix": RejectSuffix(v); break;
                case "user": ReadString("user", v); break;
                case "max_tokens": maxTokens = ReadInteger("max_tokens", v, 0, int.MaxValue); break;
                case "n": n = ReadInteger("n", v, 1, MaxChoices); break;
                case "best_of": bestOf = ReadInteger("best_of", v, 1, 20); break;
                case "top_k": topK = ReadInteger("top_k", v, -1, int.MaxValue); break;
                case "logprobs": logprobs = ReadInteger("logprobs", v, 0, MaxLogprobs); break;
                case "prompt_logprobs": promptLogprobs = ReadInteger("prompt_logprobs", v, 0, MaxLogprobs); break;
                case "seed": seed = ReadInteger("seed", v, long.MinValue, long.MaxValue); break;
                case "temperature": temperature = ReadNumber("temperature", v, 0, 2); break;
                case "top_p": topP = ReadNumber("top_p", v, 0, 1, minExclusive: true); break;
                case "min_p": minP = ReadNumber("min_p", v, 0, 1); break;
                case "presence_penalty": presence = ReadNumber("presence_penalty", v, -2, 2); break;
                case "frequency_penalty": frequency = ReadNumber("frequency_penalty", v, -2, 2); break;
                case "repetition_penalty": repetition = ReadNumber("repetition_penalty", v, 0, 2, minExclusive: true); break;
                case "echo": echo = ReadBoolean("echo", v); break;
                case "stream": stream = ReadBoolean("stream", v); break;
                case "stream_options": (hasStreamOptions, includeUsage) = ReadStreamOptions(v); break;
                case "stop": stop = ReadStop(v); break;
                case "logit_bias": logitBias = ReadLogitBias(v); break;
                default: throw new InvalidOperationException($"Parameter '{property.Name}' is accepted but not handled.");
            }
        }

        if (modelId is null)
        {
            throw Fail(ApiError.MissingParameter("model"));
        }

        if (prompts is null)
        {
            throw Fail(ApiError.MissingParameter("prompt"));
        }

        var streaming = stream == true;
        var echoing = echo == true;
        if (hasStreamOptions && !streaming)
        {
            // Also for `{}`: OpenAI rejects any stream_options without stream (spec-facts §10, Q21; our choice).
            throw Fail(ApiError.InvalidValue("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled."));
        }

        if (promptLogprobs is not null && streaming)
        {
            throw Fail(ApiError.InvalidValue("prompt_logprobs", "'prompt_logprobs' is not available when 'stream' is true; request it without streaming."));
        }

        var max = (int)(maxTokens ?? 16);
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

        var temp = temperature ?? 1.0;
        if (temp == 0 && candidates > 1)
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

        // The work (and the response size) grows with every token position produced or scored, times the
        // alternatives shown at each: prompts are scored for prompt_logprobs, and for echo with logprobs.
        var scorePrompts = promptLogprobs is not null || (echoing && logprobs is not null);
        var positions = (long)prompts.Count * candidates * max + (scorePrompts ? prompts.Sum(p => (long)p.Tokens.Count) : 0);
        var alternatives = 1 + (logprobs is not null || promptLogprobs is not null ? Math.Max(logprobs ?? 0, promptLogprobs ?? 0) + 1 : 0);
        var requested = positions * alternatives;
        if (requested > options.MaxGeneratedTokensPerRequest)
        {
            throw Fail(new ApiError(400, string.Create(Inv,
                $"This request could produce {positions} token positions ({prompts.Count} prompts x {candidates} sequences x {max} max_tokens{(scorePrompts ? ", plus the scored prompt tokens" : "")}) with {alternatives} entries each, {requested} in all; this mock server allows {options.MaxGeneratedTokensPerRequest} per request (--max-generated-tokens)."),
                ApiError.InvalidRequest, "max_tokens", "request_too_large"));
        }

        var model = catalog.Find(modelId) ?? throw Fail(ApiError.ModelNotFound(modelId, catalog.DescribeIds()));
        foreach (var prompt in prompts)
        {
            if (prompt.Tokens.Count + max > model.MaxModelLen)
            {
                throw Fail(new ApiError(400, string.Create(Inv,
                    $"This model's maximum context length is {model.MaxModelLen} tokens. However, you requested {max} output tokens and your prompt contains {prompt.Tokens.Count} input tokens, for a total of {prompt.Tokens.Count + max} tokens. Please reduce the length of the prompt or 'max_tokens'."),
                    ApiError.InvalidRequest, "max_tokens", "context_length_exceeded"));
            }
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
            IncludeUsage = includeUsage == true,
            Logprobs = (int?)logprobs,
            PromptLogprobs = (int?)promptLogprobs,
            Stop = stop,
            Seed = seed,
            Sampling = new SamplingParameters
            {
                Temperature = temp,
                TopP = topP ?? 1.0,
                TopK = (int)(topK ?? 0),
                MinP = minP ?? 0,
                PresencePenalty = presence ?? 0,
                FrequencyPenalty = frequency ?? 0,
                RepetitionPenalty = repetition ?? 1.0,
                LogitBias = logitBias,
            },
        };
    }

    private static ApiErrorException Fail(ApiError error) => new(error);

    private static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        JsonValueKind.Number => v.TryGetInt64(out _) ? "an integer" : "a decimal",
        _ => "an unknown value",
    };

    /// <summary>
    /// JSON may escape a lone UTF-16 surrogate (<c>"\ud800"</c>) or carry invalid UTF-8, which System.Text.Json refuses
    /// to turn into a string.
    /// Every string the parser reads goes through here so that becomes a 400 naming the parameter, not a 500.
    /// </summary>
    private static string TextOf(JsonElement v, string? param)
    {
        try
        {
            return v.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Fail(new ApiError(400, $"The request contains a string that is not valid Unicode (invalid UTF-8, or an escaped lone surrogate such as \\ud800){(param is null ? "" : $" in '{param}'")}.", ApiError.InvalidRequest, param, "invalid_value"));
        }
    }

    private static string NameOf(JsonProperty property, string? param)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw Fail(new ApiError(400, $"The request contains a property name that is not valid Unicode (invalid UTF-8, or an escaped lone surrogate such as \\ud800){(param is null ? "" : $" in '{param}'")}.", ApiError.InvalidRequest, param, "invalid_value"));
        }
    }

    private static string? ReadString(string name, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => TextOf(v, name),
        JsonValueKind.Null => null,
        _ => throw Fail(ApiError.InvalidType(name, "a string", Describe(v))),
    };

    private static bool? ReadBoolean(string name, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => throw Fail(ApiError.InvalidType(name, "a boolean", Describe(v))),
    };

    /// <summary>An integer parameter. JSON booleans and numeric strings are type errors (provider docs, "Gotcha").</summary>
    private static long? ReadInteger(string name, JsonElement v, long min, long max)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number)
        {
            throw Fail(ApiError.InvalidType(name, "an integer", Describe(v)));
        }

        if (v.TryGetInt64(out var value))
        {
            if (value < min)
            {
                throw Fail(ApiError.BelowMinimum(name, true, $">= {min.ToString(Inv)}", value));
            }

            if (value > max)
            {
                throw Fail(ApiError.AboveMaximum(name, true, $"<= {max.ToString(Inv)}", value));
            }

            return value;
        }

        // 16.0 and 1e2 are integers in JSON Schema's sense; 16.5 is not. Beyond int64 is a range error.
        if (v.TryGetDouble(out var d) && double.IsFinite(d))
        {
            if (Math.Floor(d) != d)
            {
                throw Fail(ApiError.InvalidType(name, "an integer", "a decimal"));
            }

            // TryGetInt64 failed, so an integral value here is outside int64 even if the double rounds onto its edge
            // (-9223372036854775809 becomes -2^63).
            if (d < min || d <= -9.2233720368547758E+18)
            {
                throw Fail(ApiError.BelowMinimum(name, true, $">= {min.ToString(Inv)}", d));
            }

            if (d > max || d >= 9.2233720368547758E+18)
            {
                throw Fail(ApiError.AboveMaximum(name, true, $"<= {max.ToString(Inv)}", d));
            }

            return (long)d;
        }

        throw Fail(ApiError.InvalidValue(name, $"Invalid '{name}': the number {Truncate(v.GetRawText())} cannot be represented."));
    }

    private static double? ReadNumber(string name, JsonElement v, double min, double max, bool minExclusive = false)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number)
        {
            throw Fail(ApiError.InvalidType(name, "a number", Describe(v)));
        }

        if (!v.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            throw Fail(ApiError.InvalidValue(name, $"Invalid '{name}': the number {Truncate(v.GetRawText())} cannot be represented."));
        }

        if (minExclusive ? d <= min : d < min)
        {
            throw Fail(ApiError.BelowMinimum(name, false, $"{(minExclusive ? ">" : ">=")} {min.ToString(Inv)}", d));
        }

        if (d > max)
        {
            throw Fail(ApiError.AboveMaximum(name, false, $"<= {max.ToString(Inv)}", d));
        }

        return d;
    }

    private static string Truncate(string raw) => raw.Length <= 40 ? raw : raw[..40] + "...";

    private static void RejectSuffix(JsonElement v)
    {
        if (ReadString("suffix", v) is { Length: > 0 })
        {
            throw Fail(new ApiError(400, "'suffix' is not supported by these base models; send the full prompt instead.", ApiError.InvalidRequest, "suffix", "unsupported_parameter"));
        }
    }

    private static (bool Present, bool? IncludeUsage) ReadStreamOptions(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return (false, null);
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType("stream_options", "an object", Describe(v)));
        }

        bool? includeUsage = null;
        var seen = false;
        foreach (var option in v.EnumerateObject())
        {
            var optionName = NameOf(option, "stream_options");
            if (optionName != "include_usage")
            {
                var suggestion = ParameterNames.Suggest(optionName, ParameterNames.StreamOptions);
                throw Fail(ApiError.UnknownParameter($"stream_options.{optionName}", suggestion is null ? null : $"stream_options.{suggestion}"));
            }

            // JsonElement keeps every duplicate and the last would silently win, as at the top level (named like an unknown option).
            if (seen)
            {
                throw Fail(ApiError.DuplicateParameter("stream_options.include_usage"));
            }

            seen = true;

            includeUsage = ReadBoolean("stream_options.include_usage", option.Value);
        }

        return (true, includeUsage);
    }

    private static List<string> ReadStop(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Null:
                return [];
            case JsonValueKind.String:
                var single = TextOf(v, "stop");
                return single.Length == 0 ? throw Fail(ApiError.InvalidValue("stop", "'stop' cannot contain an empty string.")) : [single];
            case JsonValueKind.Array:
                var count = v.GetArrayLength();
                if (count is 0 or > MaxStopSequences)
                {
                    throw Fail(ApiError.InvalidValue("stop", $"'stop' must hold between 1 and {MaxStopSequences} sequences, but got {count}."));
                }

                var list = new List<string>(count);
                foreach (var item in v.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw Fail(ApiError.InvalidType("stop", "a string or an array of strings", $"an array containing {Describe(item)}"));
                    }

                    var s = TextOf(item, "stop");
                    list.Add(s.Length == 0 ? throw Fail(ApiError.InvalidValue("stop", "'stop' cannot contain an empty string.")) : s);
                }

                return list;
            default:
                throw Fail(ApiError.InvalidType("stop", "a string or an array of strings", Describe(v)));
        }
    }

    private Dictionary<int, double> ReadLogitBias(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return new Dictionary<int, double>();
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType("logit_bias", "an object mapping token ids to numbers", Describe(v)));
        }

        var bias = new Dictionary<int, double>();
        var keys = new Dictionary<int, string>();
        foreach (var entry in v.EnumerateObject())
        {
            var key = NameOf(entry, "logit_bias");
            if (!int.TryParse(key, NumberStyles.None, Inv, out var id) || !tokenizer.Vocabulary.TryGetText(id, out _))
            {
                throw Fail(ApiError.InvalidValue("logit_bias", $"'logit_bias' key '{Truncate(key)}' is not a token id of this model's vocabulary (0-{tokenizer.Vocabulary.Count - 1} or {Vocabulary.EndOfTextId})."));
            }

            // "50" twice, or "50" and "050": one bias would silently replace the other.
            if (!keys.TryAdd(id, key))
            {
                throw Fail(new ApiError(400, $"Duplicate key in 'logit_bias': token {id} is given more than once ('{Truncate(keys[id])}', '{Truncate(key)}').",
                    ApiError.InvalidRequest, "logit_bias", "duplicate_parameter"));
            }

            bias[id] = ReadNumber("logit_bias", entry.Value, -100, 100) ?? throw Fail(ApiError.InvalidType("logit_bias", "a number", "null"));
        }

        return bias;
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
