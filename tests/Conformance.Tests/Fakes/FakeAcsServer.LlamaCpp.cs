using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>
/// The <see cref="FakeDialect.LlamaCpp"/> wire: a current <c>llama-server</c> as spec-facts §12 observed it. Where §12
/// is silent the fake keeps to what the other facts say of llama.cpp (§3.2, §4.3, §7, §9 Q13); each behaviour cites its fact.
/// </summary>
public sealed partial class FakeAcsServer
{
    private const string Fingerprint = "b10587-fake";

    private bool IsLlama => _options.Dialect == FakeDialect.LlamaCpp;

    private async Task LlamaCompletionsAsync(HttpContext ctx, int number)
    {
        if (!LlamaAuthorized(ctx))
        {
            await LlamaErrorAsync(ctx, 401, "Invalid API Key", "authentication_error");
            return;
        }

        // §12.1: Content-Type is not checked; invalid JSON and an empty body get 500 with the parser's message.
        var body = await FakeRequests.JsonObjectAsync(ctx);

        if (body is null)
        {
            await LlamaErrorAsync(ctx, 500, "[json.exception.parse_error.101] parse error at line 1, column 44: syntax error while parsing value - unexpected end of input", "server_error");
            return;
        }

        var (request, error) = ValidateLlama(body);
        if (error is { } failure)
        {
            await LlamaErrorAsync(ctx, failure.Status, failure.Message, "invalid_request_error");
            return;
        }

        if (request!.BadLogitBias && Has(Violation.ServerErrorOnBadLogitBias))
        {
            // A regression, not a §12 fact: llama.cpp reads string logit_bias keys as text to tokenise.
            await LlamaErrorAsync(ctx, 500, "Internal server error.", "server_error");
            return;
        }

        if (request.Runaway)
        {
            await RunawayAsync(ctx, request, number);
            return;
        }

        var g = Generate(request, number);
        if (request.Stream)
        {
            await LlamaStreamAsync(ctx, request, g, number);
        }
        else
        {
            await WriteJsonAsync(ctx, 200, LlamaNonStreamed(request, g, number));
        }
    }

    private bool LlamaAuthorized(HttpContext ctx) =>
        _options.ApiKey is null || ctx.Request.Headers.Authorization.ToString() == "Bearer " + _options.ApiKey;

    /// <summary>§12.1: unknown parameters, echo, stream_options and prompt_logprobs are ignored; only what is read is judged.</summary>
    private static (Request? Request, Failure? Error) ValidateLlama(JsonObject body)
    {
        static Failure Bad(string message) => new(400, message, null, null);

        var numbers = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var name in IntegerParameters.Concat(NumberParameters))
        {
            var node = body[name];
            switch (Json.Kind(node))
            {
                case JsonValueKind.Null:
                    continue; // §12.1: null = absent
                case JsonValueKind.True or JsonValueKind.False:
                    numbers[name] = Json.Kind(node) == JsonValueKind.True ? 1 : 0; // §12.1: booleans accepted as 1/0
                    continue;
                case JsonValueKind.Number:
                    numbers[name] = node!.GetValue<double>();
                    continue;
                default:
                    // §12.1: numeric strings are refused by the JSON library's type check.
                    return (null, Bad($"[json.exception.type_error.302] type must be number, but is {Json.Kind(node).ToString().ToLowerInvariant()}"));
            }
        }

        if (!body.ContainsKey("prompt"))
        {
            return (null, Bad("\"prompt\" is required"));
        }

        double? Get(string name) => numbers.TryGetValue(name, out var v) ? v : null;

        // §12.1: n's range check is the only one observed; n: false arrives here as 0 and is refused like n: 0.
        if (Get("n") is { } n && n is < 1 or > 2)
        {
            return (null, Bad(string.Create(CultureInfo.InvariantCulture, $"Field 'n': Value must be between 1 <= value <= 2, but got {n}")));
        }

        // §12.1: max_tokens -1 (or null, or absent) generates until the context is full; 0 still generates one token.
        var max = Get("max_tokens");
        var runaway = max is null or < 0;
        var stop = body["stop"] switch
        {
            JsonArray array => array.Select(s => Json.Str(s) ?? string.Empty).ToList(),
            JsonValue value when Json.Str(value) is { } single => [single],
            _ => new List<string>(),
        };
        var badBias = body["logit_bias"] is JsonObject bias && bias.Any(p => !long.TryParse(p.Key, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        return (new Request(
            Json.Str(body["prompt"]) ?? string.Empty,
            runaway ? 0 : Math.Max(1, (int)max!.Value),
            Get("temperature") ?? 0.8,
            Get("seed") is { } seed ? (long)seed : null,
            Get("logprobs") is > 0 and var k ? (int)k! : null,
            null,
            Echo: false,
            Json.Kind(body["stream"]) == JsonValueKind.True,
            IncludeUsage: true, // §12.1: usage on the finish chunk whatever stream_options says
            stop,
            badBias,
            runaway), null);
    }

    /// <summary>§12.1 errors: <c>{"error": {"code": &lt;int status&gt;, "message", "type"}}</c>, no <c>param</c>.</summary>
    private static Task LlamaErrorAsync(HttpContext ctx, int status, string message, string type) =>
        WriteJsonAsync(ctx, status, new JsonObject { ["error"] = new JsonObject { ["code"] = status, ["message"] = message, ["type"] = type } });

    /// <summary>§12.1, §9 Q16: text completions get ids that start <c>chatcmpl-</c>.</summary>
    private static string LlamaId(int number) =>
        "chatcmpl-" + string.Concat(Enumerable.Range(0, 4).Select(i => Hash(string.Create(CultureInfo.InvariantCulture, $"{number}|{i}")).ToString("x8", CultureInfo.InvariantCulture)));

    private static JsonObject LlamaNonStreamed(Request request, Generation g, int number)
    {
        var prompt = PromptCount(g);
        var choice = new JsonObject
        {
            ["text"] = g.Text, // §12.1: echo is ignored
            ["index"] = 0,
            ["logprobs"] = request.Logprobs is { } k ? LlamaLogprobs(g.Tokens, k) : null,
            ["finish_reason"] = g.FinishReason, // §9 Q13: no stop_reason (stopping_word is native-only)
        };
        return new JsonObject
        {
            ["choices"] = new JsonArray(choice),
            ["created"] = Created,
            ["model"] = Model, // §12.1: answered as the served alias, whatever was asked
            ["system_fingerprint"] = Fingerprint,
            ["object"] = "text_completion",
            ["usage"] = Usage(prompt, g.Tokens.Count),
            ["id"] = LlamaId(number),
            ["timings"] = Timings(prompt, g.Tokens.Count),
        };
    }

    /// <summary>§3.2, §12.1: completions logprobs in the chat shape, <c>{content: [{id, token, bytes, logprob, top_logprobs}]}</c>.</summary>
    private static JsonObject LlamaLogprobs(IEnumerable<Token> tokens, int k)
    {
        static JsonObject Entry(int id, string token, double logprob) =>
            new() { ["id"] = id, ["token"] = token, ["bytes"] = new JsonArray([.. Encoding.UTF8.GetBytes(token).Select(b => (JsonNode)(int)b)]), ["logprob"] = logprob };

        var content = new JsonArray();
        foreach (var t in tokens)
        {
            var entry = Entry(t.Id, t.Text, t.Logprob);
            entry["top_logprobs"] = new JsonArray([.. t.Top.Take(k).Select((alt, i) => (JsonNode)Entry(t.Id + i, alt.Text, alt.Logprob))]);
            content.Add(entry);
        }

        return new JsonObject { ["content"] = content };
    }

    private static JsonObject Timings(int prompt, int predicted) =>
        new() { ["prompt_n"] = prompt, ["prompt_ms"] = 1.5, ["predicted_n"] = predicted, ["predicted_ms"] = 2.5 };

    /// <summary>§12.1: a chunk per token without a usage key; no <c>choices: []</c> chunk ever.</summary>
    private static JsonObject LlamaChunk(string id, JsonObject choice) => new()
    {
        ["choices"] = new JsonArray(choice),
        ["created"] = Created,
        ["id"] = id,
        ["model"] = Model,
        ["system_fingerprint"] = Fingerprint,
        ["object"] = "text_completion",
    };

    private async Task LlamaStreamAsync(HttpContext ctx, Request request, Generation g, int number)
    {
        var abort = ctx.RequestAborted;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "text/event-stream";
        var id = LlamaId(number);

        async Task EventAsync(string data)
        {
            await ctx.Response.WriteAsync("data: " + data + "\n\n", abort);
            await ctx.Response.Body.FlushAsync(abort);
        }

        if (Has(Violation.StreamNonJsonEvent))
        {
            await EventAsync("ping"); // a regression: a frame that is not JSON
        }

        var offset = 0;
        for (var i = 0; i < g.Tokens.Count; i++)
        {
            var token = g.Tokens[i];
            var text = i == g.Tokens.Count - 1 ? g.Text[Math.Min(offset, g.Text.Length)..] : token.Text;
            offset += token.Text.Length;
            var choice = new JsonObject
            {
                ["text"] = text,
                ["index"] = 0,
                ["logprobs"] = request.Logprobs is { } k ? LlamaLogprobs([token], k) : null,
                ["finish_reason"] = null,
            };
            await EventAsync(LlamaChunk(id, choice).ToJsonString());
        }

        // §12.1, §4.3: the last chunk has text "", the finish_reason, usage and timings, whatever stream_options says.
        var last = LlamaChunk(id, new JsonObject { ["text"] = string.Empty, ["index"] = 0, ["logprobs"] = null, ["finish_reason"] = g.FinishReason });
        last["usage"] = Usage(PromptCount(g), g.Tokens.Count);
        last["timings"] = Timings(PromptCount(g), g.Tokens.Count);
        await EventAsync(last.ToJsonString());
        await EventAsync("[DONE]");
    }

    private async Task LlamaModelsAsync(HttpContext ctx)
    {
        if (!LlamaAuthorized(ctx))
        {
            await LlamaErrorAsync(ctx, 401, "Invalid API Key", "authentication_error");
            return;
        }

        // §7: llama.cpp's card has a `meta` object and none of vLLM's root/parent/max_model_len/permission.
        var card = new JsonObject
        {
            ["id"] = Model,
            ["object"] = "model",
            ["created"] = Created,
            ["owned_by"] = "llamacpp",
            ["meta"] = new JsonObject { ["vocab_type"] = 2, ["n_ctx_train"] = _options.ContextTokens, ["n_params"] = 1_000_000 },
        };
        await WriteJsonAsync(ctx, 200, new JsonObject { ["object"] = "list", ["data"] = new JsonArray(card) });
    }
}
