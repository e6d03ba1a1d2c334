using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance.Tests.Fakes;

/// <summary>Request validation: the acs rules, each of which a test can disable by the id of the check that tests it.</summary>
public sealed partial class FakeAcsServer
{
    // The parameters the MockServer accepts (src/MockServer/Validation/ParameterNames.cs): min_tokens, a vLLM
    // parameter (spec-facts §1.2), is refused there as unknown, and so it is here.
    private static readonly HashSet<string> KnownParameters =
    [
        "model", "prompt", "suffix", "max_tokens", "temperature", "top_p", "n", "best_of", "echo", "stream", "stream_options",
        "logprobs", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "seed", "user", "top_k", "min_p",
        "repetition_penalty", "prompt_logprobs",
    ];

    private static readonly string[] IntegerParameters = ["max_tokens", "n", "best_of", "seed", "top_k", "logprobs", "prompt_logprobs"];
    private static readonly string[] NumberParameters = ["temperature", "top_p", "min_p", "presence_penalty", "frequency_penalty", "repetition_penalty"];

    private readonly record struct Failure(int Status, string Message, string? Param, string? Code);

    /// <summary>A validated request; <paramref name="Runaway"/> means "generate until the context is full".</summary>
    private sealed record Request(
        string Prompt, int MaxTokens, double Temperature, long? Seed, int? Logprobs, int? PromptLogprobs, bool Echo, bool Stream,
        bool IncludeUsage, IReadOnlyList<string> Stop, bool BadLogitBias, bool Runaway = false);

    private (Request? Request, Failure? Error) Validate(JsonObject body)
    {
        static Failure Bad(string message, string param, string code) => new(400, message, param, code);

        // A lenient server for which any max_tokens but a positive integer means "until the context is full".
        var runaway = _options.RunawayMaxTokens && Json.Int(body["max_tokens"]) is not > 0;
        if (runaway)
        {
            body.Remove("max_tokens");
        }

        foreach (var (key, _) in body)
        {
            if (!KnownParameters.Contains(key) && Enforced("validation.unknown-parameter"))
            {
                return (null, Bad($"Unknown parameter: '{key}'.", key, "unknown_parameter"));
            }
        }

        if (!body.ContainsKey("model") && Enforced("validation.missing-model"))
        {
            return (null, Bad("Missing required parameter: 'model'.", "model", "missing_required_parameter"));
        }

        if (!body.ContainsKey("prompt") && Enforced("validation.missing-prompt"))
        {
            return (null, Bad("Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"));
        }

        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in IntegerParameters.Concat(NumberParameters))
        {
            var node = body[name];
            switch (Json.Kind(node))
            {
                case JsonValueKind.Null:
                    continue;
                case JsonValueKind.True or JsonValueKind.False:
                {
                    var value = Json.Kind(node) == JsonValueKind.True;
                    if (_options.CoerceBooleans)
                    {
                        // Coerced, then judged by the range rules like any number: n: false is refused as n: 0 is (spec-facts §12.1).
                        numbers[name] = value ? 1 : 0;
                        continue;
                    }

                    if (Enforced($"validation.boolean.{name}.{(value ? "true" : "false")}"))
                    {
                        return (null, Bad($"Invalid type for '{name}': expected a number, but got a boolean instead.", name, "invalid_type"));
                    }

                    // A lax server accepts it and answers 200: true is coerced to 1 (pydantic, spec-facts §1.1) and false is
                    // ignored, as llama.cpp falls back to the default (§9 Q2), so no range rule refuses a coerced 0.
                    if (value)
                    {
                        numbers[name] = 1;
                    }

                    continue;
                }

                case JsonValueKind.String when !Enforced($"validation.numeric-string.{name}")
                    && double.TryParse(node!.GetValue<string>(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed):
                    numbers[name] = parsed;
                    continue;
                case JsonValueKind.Number:
                {
                    var value = node!.GetValue<double>();
                    if (IntegerParameters.Contains(name) && value % 1 != 0)
                    {
                        return (null, Bad($"Invalid type for '{name}': expected an integer.", name, "invalid_type"));
                    }

                    numbers[name] = value;
                    continue;
                }

                default:
                    return (null, Bad($"Invalid type for '{name}': expected a number.", name, "invalid_type"));
            }
        }

        var echo = Json.Kind(body["echo"]) == JsonValueKind.True;
        var stream = Json.Kind(body["stream"]) == JsonValueKind.True;
        double? Get(string name) => numbers.TryGetValue(name, out var v) ? v : null;
        (string Rule, string Param, bool Broken)[] ranges =
        [
            ("validation.range.temperature-above-max", "temperature", Get("temperature") is < 0 or > 2),
            ("validation.range.top_p-zero", "top_p", Get("top_p") is <= 0 or > 1),
            ("validation.range.n-zero", "n", Get("n") is < 1),
            ("validation.range.max_tokens-zero", "max_tokens", Get("max_tokens") is 0 && !echo),
            ("validation.range.max_tokens-negative", "max_tokens", Get("max_tokens") is < 0),
            ("validation.range.presence_penalty-above-max", "presence_penalty", Get("presence_penalty") is < -2 or > 2),
            ("validation.range.frequency_penalty-below-min", "frequency_penalty", Get("frequency_penalty") is < -2 or > 2),
            ("validation.range.logprobs-negative", "logprobs", Get("logprobs") is < 0),
            ("validation.logprobs.above-limit", "logprobs", Get("logprobs") > _options.LogprobsCeiling),
            ("validation.range.prompt_logprobs", "prompt_logprobs", Get("prompt_logprobs") is < 0 or > 20),
            ("validation.range.top_k", "top_k", Get("top_k") is < -1),
            ("validation.range.min_p", "min_p", Get("min_p") is < 0 or > 1),
            ("validation.range.repetition_penalty", "repetition_penalty", Get("repetition_penalty") is <= 0),
        ];
        foreach (var (rule, param, broken) in ranges)
        {
            if (broken && Enforced(rule))
            {
                return (null, Bad(string.Create(CultureInfo.InvariantCulture, $"Invalid '{param}': out of range, got {Get(param)}."), param, "invalid_value"));
            }
        }

        if (body.ContainsKey("stream_options") && !stream)
        {
            var empty = body["stream_options"] is JsonObject { Count: 0 };
            if (Enforced(empty ? "validation.stream-options.empty-without-stream" : "validation.stream-options.without-stream"))
            {
                return (null, Bad("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options", "invalid_value"));
            }
        }

        if (stream && Get("prompt_logprobs") is not null && Enforced("validation.prompt-logprobs.while-streaming"))
        {
            return (null, Bad("'prompt_logprobs' is not available when streaming.", "prompt_logprobs", "invalid_value"));
        }

        var model = Json.Str(body["model"]);
        if (model is not null && model != Model && Enforced("validation.unknown-model"))
        {
            return (null, (Failure?)new Failure(404, $"The model '{model}' does not exist.", "model", "model_not_found"));
        }

        var stop = body["stop"] switch
        {
            JsonArray array => array.Select(s => Json.Str(s) ?? string.Empty).ToList(),
            JsonValue value when Json.Str(value) is { } single => [single],
            _ => new List<string>(),
        };
        var badBias = body["logit_bias"] is JsonObject bias && bias.Any(p => !long.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        var seed = Get("seed") is { } s ? (long)s : (long?)null;
        return (new Request(
            Json.Str(body["prompt"]) ?? string.Empty,
            Get("max_tokens") is { } m ? (int)m : 16,
            Get("temperature") ?? 1,
            seed,
            Get("logprobs") is { } lp ? (int)lp : null,
            Get("prompt_logprobs") is { } plp ? (int)plp : null,
            echo,
            stream,
            Json.Kind(body["stream_options"]?["include_usage"]) == JsonValueKind.True
                || (Has(Violation.StreamUsageWhenOptionsPresent) && body["stream_options"] is JsonObject && Json.Kind(body["stream_options"]?["include_usage"]) != JsonValueKind.False)
                || (Has(Violation.StreamUsageWhenIncludeUsageFalse) && Json.Kind(body["stream_options"]?["include_usage"]) == JsonValueKind.False),
            stop,
            badBias,
            runaway), null);
    }
}
