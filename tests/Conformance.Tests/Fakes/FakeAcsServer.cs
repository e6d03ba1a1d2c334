using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Conformance.Tests.Fakes;

/// <summary>
/// A programmable acs endpoint on Kestrel at 127.0.0.1:0. Its default follows the provider contract to the letter;
/// each <see cref="Violation"/> or disabled rule breaks one rule so a test can prove the matching check fails.
/// Generation is a deterministic toy: token i of a completion is picked from a fixed vocabulary by a hash.
/// </summary>
public sealed partial class FakeAcsServer : IAsyncDisposable
{
    public const string Model = "llama-8b";
    public const string Root = "meta-llama/Llama-3.1-8B";
    private const long Created = 1_700_000_000;

    private static readonly string[] Vocabulary =
    [
        " Paris", " the", " a", " city", " of", " France", " and", ".", " is", " known", " for", " its", " art", "\n", " It",
        "’s", " fast", " again", " river", " light", " old", " new", " small", " bread", " wine", " home", " time", " place",
        " where", " people", " live", " well",
    ];

    private static readonly HashSet<string> KnownParameters =
    [
        "model", "prompt", "suffix", "max_tokens", "temperature", "top_p", "n", "best_of", "echo", "stream", "stream_options",
        "logprobs", "stop", "presence_penalty", "frequency_penalty", "logit_bias", "seed", "user", "top_k", "min_p",
        "repetition_penalty", "prompt_logprobs", "min_tokens",
    ];

    private static readonly string[] IntegerParameters = ["max_tokens", "n", "best_of", "seed", "top_k", "logprobs", "prompt_logprobs"];
    private static readonly string[] NumberParameters = ["temperature", "top_p", "min_p", "presence_penalty", "frequency_penalty", "repetition_penalty"];

    private readonly WebApplication _app;
    private readonly FakeServerOptions _options;
    private int _requests;
    private int _coldStarts;
    private int _inFlight;
    private int _maxInFlight;
    private readonly Lock _gate = new();

    private FakeAcsServer(WebApplication app, FakeServerOptions options, Uri baseUrl)
    {
        _app = app;
        _options = options;
        BaseUrl = baseUrl;
    }

    /// <summary>Gets the base URL including <c>/v1</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Gets how many completion requests arrived.</summary>
    public int CompletionRequests => _requests;

    /// <summary>Gets the most completion requests that were in flight at once.</summary>
    public int MaxConcurrentRequests => _maxInFlight;

    public static async Task<FakeAcsServer> StartAsync(FakeServerOptions? options = null)
    {
        options ??= new FakeServerOptions();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        FakeAcsServer? server = null;
        app.MapPost("/v1/completions", (HttpContext ctx) => server!.TrackedAsync(ctx));
        app.MapGet("/v1/models", (HttpContext ctx) => server!.ModelsAsync(ctx));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server = new FakeAcsServer(app, options, new Uri(address.TrimEnd('/') + "/v1"));
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(1));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private bool Has(Violation v) => _options.Violations.Contains(v);

    private bool Enforced(string rule) => !_options.DisabledRules.Contains(rule);

    private async Task<bool> HostileAsync(HttpContext ctx)
    {
        var abort = ctx.RequestAborted;
        switch (_options.Hostility)
        {
            case Hostility.Hang:
                await Task.Delay(Timeout.Infinite, abort).ContinueWith(_ => { }, TaskScheduler.Default);
                return true;
            case Hostility.Reset:
                ctx.Abort();
                return true;
            case Hostility.Garbage:
            {
                ctx.Response.ContentType = "text/event-stream";
                var bytes = new byte[4096];
                new Random(1).NextBytes(bytes);
                await ctx.Response.Body.WriteAsync(bytes, abort);
                return true;
            }

            case Hostility.EndlessStream:
                ctx.Response.ContentType = "text/event-stream";
                try
                {
                    var frame = Encoding.UTF8.GetBytes("data: {\"id\":\"cmpl-0000000000000000\",\"object\":\"text_completion\",\"choices\":[{\"index\":0,\"text\":\" on\",\"finish_reason\":null}]}\n\n");
                    while (!abort.IsCancellationRequested)
                    {
                        await ctx.Response.Body.WriteAsync(frame, abort);
                        await ctx.Response.Body.FlushAsync(abort);

                        // Writes to a fast reader complete synchronously; without a yield each endless stream pins a
                        // thread-pool thread, and on a cold 2-core pool the suite's own requests (same process) starve.
                        await Task.Yield();
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // The client hung up, which is what a bounded client must do.
                }

                return true;
            case Hostility.HugeBody:
                ctx.Response.ContentType = "application/json";
                try
                {
                    var block = Encoding.UTF8.GetBytes(new string(' ', 64 * 1024));
                    await ctx.Response.Body.WriteAsync("{\"padding\":\""u8.ToArray(), abort);
                    for (var i = 0; i < 256 && !abort.IsCancellationRequested; i++)
                    {
                        await ctx.Response.Body.WriteAsync(block, abort);
                    }
                }
                catch (Exception ex) when (ex is OperationCanceledException or IOException)
                {
                    // Expected once the client stops reading at its cap.
                }

                return true;
            default:
                return false;
        }
    }

    private async Task ModelsAsync(HttpContext ctx)
    {
        if (await HostileAsync(ctx) || await AuthFailedAsync(ctx))
        {
            return;
        }

        var card = new JsonObject
        {
            ["id"] = Has(Violation.ModelsMissingConfigured) ? "other-model" : Model,
            ["object"] = "model",
            ["created"] = Created,
            ["owned_by"] = "vllm",
            ["root"] = Root,
            ["parent"] = null,
            ["max_model_len"] = 131072,
            ["permission"] = new JsonArray(new JsonObject { ["id"] = "modelperm-" + new string('0', 32), ["object"] = "model_permission", ["created"] = Created }),
        };
        if (Has(Violation.ModelCardExtraKey))
        {
            card["meta"] = new JsonObject(); // llama.cpp-style extra (spec-facts §7)
        }

        var list = new JsonObject { ["object"] = Has(Violation.ModelsObjectWrong) ? "models" : "list", ["data"] = new JsonArray(card) };
        await WriteJsonAsync(ctx, 200, list);
    }

    private async Task<bool> AuthFailedAsync(HttpContext ctx)
    {
        if (_options.ApiKey is null)
        {
            return false;
        }

        var header = ctx.Request.Headers.Authorization.ToString();
        if (header.Length == 0 && Enforced("auth.missing-key"))
        {
            await ErrorAsync(ctx, 401, "Missing API key.", null, "missing_api_key");
            return true;
        }

        if (header.Length > 0 && header != "Bearer " + _options.ApiKey && Enforced("auth.wrong-key"))
        {
            await ErrorAsync(ctx, 401, "Invalid API key.", null, "invalid_api_key");
            return true;
        }

        return false;
    }

    private async Task ErrorAsync(HttpContext ctx, int status, string message, string? param, string? code)
    {
        if (_options.EchoAuthorization)
        {
            // Hostile: leaks the caller's credentials back; the suite must redact them.
            message += " (you sent: " + ctx.Request.Headers.Authorization + ")";
        }

        if (Has(Violation.ErrorNotEnvelope))
        {
            await WriteJsonAsync(ctx, status, new JsonObject { ["detail"] = message });
            return;
        }

        if (Has(Violation.ErrorCodeNull))
        {
            code = null;
        }
        else if (Has(Violation.ErrorCodeUncited) && code is not ("invalid_type" or "unknown_parameter" or "model_not_found" or "invalid_api_key"))
        {
            code = "some_other_code";
        }

        var error = new JsonObject
        {
            ["message"] = message,
            ["type"] = Has(Violation.ErrorTypeWrong) ? "BadRequestError" : "invalid_request_error",
            ["param"] = Has(Violation.ErrorParamNull) ? null : param,
            ["code"] = Has(Violation.ErrorCodeInteger) ? status : code,
        };
        if (Has(Violation.ErrorExtraKey))
        {
            error["object"] = "error"; // the pre-0.10.1 vLLM key (spec-facts §6.1)
        }

        if (Has(Violation.ErrorOmitsNullKeys))
        {
            foreach (var key in error.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                error.Remove(key);
            }
        }

        await WriteJsonAsync(ctx, status, new JsonObject { ["error"] = error });
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted);
    }

    private async Task TrackedAsync(HttpContext ctx)
    {
        var now = Interlocked.Increment(ref _inFlight);
        lock (_gate)
        {
            _maxInFlight = Math.Max(_maxInFlight, now);
        }

        try
        {
            // A little latency so concurrent requests overlap and the bound is observable.
            await Task.Delay(5, ctx.RequestAborted);
            await CompletionsAsync(ctx);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task CompletionsAsync(HttpContext ctx)
    {
        var number = Interlocked.Increment(ref _requests);
        if (await HostileAsync(ctx))
        {
            return;
        }

        if (Interlocked.Increment(ref _coldStarts) <= _options.ColdStartFailures)
        {
            if (_options.RetryAfter is not null)
            {
                ctx.Response.Headers.RetryAfter = _options.RetryAfter;
            }

            await ErrorAsync(ctx, _options.ColdStartStatus, "The model is starting.", null, "model_loading");
            return;
        }

        if (Has(Violation.UnavailableWithoutRetryAfter) && number == 1)
        {
            await ErrorAsync(ctx, 503, "The model is starting.", null, "model_loading");
            return;
        }

        if (await AuthFailedAsync(ctx))
        {
            return;
        }

        if (!(ctx.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && Enforced("validation.content-type"))
        {
            await ErrorAsync(ctx, 400, "Only application/json is accepted.", null, "unsupported_media_type");
            return;
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        }
        catch (JsonException) when (!Enforced("validation.invalid-json"))
        {
            // A lenient server that answers whatever it could read: here, a default completion.
            body = JsonNode.Parse("{\"model\":\"" + Model + "\",\"prompt\":\"\",\"max_tokens\":1}")!.AsObject();
        }
        catch (JsonException)
        {
            await ErrorAsync(ctx, 400, "The body is not valid JSON.", null, "invalid_json");
            return;
        }

        if (body is null)
        {
            await ErrorAsync(ctx, 400, "The body must be a JSON object.", null, "invalid_json");
            return;
        }

        var (request, error) = Validate(body);
        if (error is not null)
        {
            await ErrorAsync(ctx, error.Value.Status, error.Value.Message, error.Value.Param, error.Value.Code);
            return;
        }

        if ((Has(Violation.EchoRejected) && request!.Echo) || (Has(Violation.StreamRejected) && request!.Stream))
        {
            await ErrorAsync(ctx, 400, "Not supported.", request.Echo ? "echo" : "stream", "invalid_value");
            return;
        }

        if (request!.BadLogitBias)
        {
            if (Has(Violation.ServerErrorOnBadLogitBias))
            {
                await ErrorAsync(ctx, 500, "Internal server error.", null, null);
            }
            else
            {
                await ErrorAsync(ctx, 400, "logit_bias keys must be token ids.", "logit_bias", "invalid_value");
            }

            return;
        }

        var result = Generate(request, number);
        if (request.Stream)
        {
            await StreamAsync(ctx, request, result);
        }
        else
        {
            await WriteJsonAsync(ctx, 200, NonStreamed(request, result, number));
        }
    }

    private readonly record struct Failure(int Status, string Message, string? Param, string? Code);

    private sealed record Request(
        string Prompt, int MaxTokens, double Temperature, long? Seed, int? Logprobs, int? PromptLogprobs, bool Echo, bool Stream,
        bool IncludeUsage, IReadOnlyList<string> Stop, bool BadLogitBias);

    private (Request? Request, Failure? Error) Validate(JsonObject body)
    {
        static Failure Bad(string message, string param, string code) => new(400, message, param, code);

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
            ("validation.logprobs.above-limit", "logprobs", Get("logprobs") > _options.MaxLogprobs),
            ("validation.range.prompt_logprobs", "prompt_logprobs", Get("prompt_logprobs") is < 0 or > 20),
            ("validation.range.top_k", "top_k", Get("top_k") is < -1),
            ("validation.range.min_p", "min_p", Get("min_p") is < 0 or > 1),
            ("validation.range.repetition_penalty", "repetition_penalty", Get("repetition_penalty") is <= 0),
        ];
        foreach (var (rule, param, broken) in ranges)
        {
            if (broken && Enforced(rule))
            {
                return (null, Bad($"Invalid '{param}': out of range.", param, "invalid_value"));
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
                || (Has(Violation.StreamUsageWhenOptionsPresent) && body["stream_options"] is JsonObject && Json.Kind(body["stream_options"]?["include_usage"]) != JsonValueKind.False),
            stop,
            badBias), null);
    }

    /// <summary>A generated token and its alternatives.</summary>
    private sealed record Token(string Text, int Id, double Logprob, List<(string Text, double Logprob)> Top);

    private sealed record Generation(List<Token> PromptTokens, List<Token> Tokens, string Text, string FinishReason, string? StopReason);

    private Generation Generate(Request request, int requestNumber)
    {
        var promptTokens = Words().Matches(request.Prompt).Select((m, i) => MakeToken(m.Value, i, request.Logprobs ?? 1, -1.5)).ToList();
        var tokens = new List<Token>();
        var text = new StringBuilder();
        string finish = "length";
        string? stopReason = null;
        var salt = request.Temperature == 0 ? "greedy" : request.Seed is { } seed && !Has(Violation.SeedIgnored) ? "seed" + seed : "run" + requestNumber;
        if (Has(Violation.StopRunDiverges) && request.Stop.Count > 0)
        {
            salt = "diverged";
        }

        for (var i = 0; i < request.MaxTokens; i++)
        {
            var index = (int)(Hash(request.Prompt + "|" + salt + "|" + i) % (uint)Vocabulary.Length);
            var token = MakeToken(Vocabulary[index], index, request.Logprobs ?? 0, -0.25);
            tokens.Add(token);
            text.Append(token.Text);
            var hit = request.Stop.Where(s => s.Length > 0).Select(s => (Stop: s, At: text.ToString().IndexOf(s, StringComparison.Ordinal))).Where(x => x.At >= 0).OrderBy(x => x.At).FirstOrDefault();
            if (hit.Stop is not null)
            {
                // The stop string and anything after it are not returned (spec-facts §2.2 I10).
                text.Length = Has(Violation.StopStringIncluded) ? hit.At + hit.Stop.Length : hit.At;
                finish = Has(Violation.StopFinishLength) ? "length" : "stop";
                stopReason = Has(Violation.StopReasonNull) ? null : hit.Stop;
                break;
            }
        }

        return new Generation(promptTokens, tokens, text.ToString(), finish, stopReason);
    }

    private static Token MakeToken(string text, int id, int k, double logprob)
    {
        // The sampled token first, then k-1 distinct alternatives: k entries in all, the vLLM count when the sampled token is in the top k.
        var top = new List<(string, double)> { (text, logprob) };
        for (var j = 1; top.Count < Math.Max(1, k); j++)
        {
            var alt = Vocabulary[(id + (j * 7)) % Vocabulary.Length];
            if (alt != text && top.All(t => t.Item1 != alt))
            {
                top.Add((alt, logprob - j));
            }
        }

        return new Token(text, 1000 + id, logprob, top);
    }

    private JsonObject Logprobs(IReadOnlyList<Token> tokens, int offset, bool echoFirst, int k)
    {
        var tokenTexts = new JsonArray();
        var values = new JsonArray();
        var tops = new JsonArray();
        var offsets = new JsonArray();
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            tokenTexts.Add(t.Text);
            var first = echoFirst && i == 0;
            if (first && !Has(Violation.EchoFirstNotNull))
            {
                values.Add(null);
                tops.Add(null);
            }
            else
            {
                values.Add(Has(Violation.LogprobsPositive) ? 0.5 : t.Logprob);
                var top = new JsonObject();
                var entries = t.Top.Take(Math.Max(1, k)).ToList();
                if (Has(Violation.LogprobsTopMissingSampled))
                {
                    entries[0] = ("<not-sampled>", t.Logprob);
                }

                if (Has(Violation.LogprobsTopKFewer))
                {
                    entries = [entries[0]];
                }

                if (Has(Violation.LogprobsTopKTooMany))
                {
                    entries.Add(("<extra-1>", -9.0));
                    entries.Add(("<extra-2>", -9.5));
                }

                foreach (var (text, value) in entries)
                {
                    top[text] = value;
                }

                tops.Add(top);
            }

            offsets.Add(offset);
            offset += t.Text.EnumerateRunes().Count();
        }

        if (Has(Violation.LogprobsOffsetsDecreasing) && offsets.Count > 1)
        {
            var reversed = offsets.Select(o => o!.GetValue<int>()).Reverse().ToList();
            offsets = [.. reversed.Select(o => (JsonNode)o)];
        }

        if (Has(Violation.LogprobsShortOffsets) && offsets.Count > 0)
        {
            offsets.RemoveAt(offsets.Count - 1);
        }

        return new JsonObject { ["text_offset"] = offsets, ["tokens"] = tokenTexts, ["token_logprobs"] = values, ["top_logprobs"] = tops };
    }

    private static JsonObject Usage(int prompt, int completion, int totalSkew = 0) =>
        new() { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion + totalSkew };

    private static int PromptCount(Generation g) => g.PromptTokens.Count + 1; // BOS counts (spec-facts §1.3)

    private JsonObject NonStreamed(Request request, Generation g, int number)
    {
        JsonNode? logprobs = null;
        if (request.Logprobs is { } k)
        {
            logprobs = request.Echo
                ? Logprobs([.. g.PromptTokens, .. g.Tokens], 0, echoFirst: true, k)
                : Logprobs(g.Tokens, 0, echoFirst: false, k);
        }

        JsonArray? promptLogprobs = null;
        if (request.PromptLogprobs is { } pk)
        {
            promptLogprobs = [Has(Violation.PromptLogprobsFirstNotNull) ? new JsonObject { ["128000"] = new JsonObject { ["logprob"] = -1.0, ["rank"] = 1, ["decoded_token"] = "<|begin_of_text|>" } } : null];
            foreach (var t in g.PromptTokens)
            {
                var entry = new JsonObject();
                foreach (var (alt, i) in t.Top.Take(pk + 1).Select((a, i) => (a, i)))
                {
                    entry[(t.Id + (i * 3)).ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["logprob"] = alt.Logprob, ["rank"] = i + 1, ["decoded_token"] = alt.Text };
                }

                promptLogprobs.Add(entry);
            }
        }

        var completion = g.Tokens.Count + (Has(Violation.LengthCompletionTokensOff) ? 1 : 0);
        var choice = new JsonObject
        {
            ["index"] = 0,
            ["text"] = request.Echo ? request.Prompt + g.Text : g.Text,
            ["logprobs"] = logprobs,
            ["finish_reason"] = Has(Violation.FinishContentFilter) ? "content_filter" : g.FinishReason,
            ["stop_reason"] = g.StopReason,
            ["prompt_logprobs"] = promptLogprobs,
        };
        var response = new JsonObject
        {
            ["id"] = Has(Violation.IdWithoutPrefix) ? "completion-" + number : Id(number),
            ["object"] = Has(Violation.NonStreamObjectWrong) ? "completion" : "text_completion",
            ["created"] = Created,
            ["model"] = Root,
            ["choices"] = new JsonArray(choice),
            ["usage"] = Usage(PromptCount(g), completion, Has(Violation.UsageTotalOff) ? 1 : 0),
        };
        if (Has(Violation.CompletionExtraKey))
        {
            response["metrics"] = null; // a newer vLLM key (spec-facts §2.1)
        }

        return response;
    }

    private string Id(int number) => "cmpl-" + number.ToString("x" + _options.IdHexDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private async Task StreamAsync(HttpContext ctx, Request request, Generation g)
    {
        var abort = ctx.RequestAborted;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = Has(Violation.StreamContentTypeJson) ? "application/json" : "text/event-stream; charset=utf-8";
        var nl = _options.NewLine;
        var id = Id(_requests + 1000);

        async Task WriteAsync(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var size = _options.WriteSize <= 0 ? bytes.Length : _options.WriteSize;
            for (var i = 0; i < bytes.Length; i += size)
            {
                await ctx.Response.Body.WriteAsync(bytes.AsMemory(i, Math.Min(size, bytes.Length - i)), abort);
                await ctx.Response.Body.FlushAsync(abort);
            }
        }

        async Task EventAsync(string data)
        {
            if (_options.Comments)
            {
                await WriteAsync(": keep-alive" + nl);
            }

            var field = Has(Violation.StreamEventField) ? "event: completion" + nl : string.Empty;
            await WriteAsync(field + "data: " + data + nl + nl);
        }

        if (Has(Violation.StreamEventOnlyBlock))
        {
            await WriteAsync("event: keepalive" + nl + nl);
        }

        if (Has(Violation.StreamErrorFieldBlock))
        {
            // llama.cpp's legacy mid-stream error (spec-facts §8, §9 Q14): a block with no data fires no event.
            await WriteAsync("error: {\"message\":\"boom\"}" + nl + nl);
        }

        if (Has(Violation.StreamNonJsonEvent))
        {
            await EventAsync("ping");
        }

        // Echo puts the prompt on the first chunk; this fake streams only without echo, like every stream probe.
        var offset = 0;
        for (var i = 0; i < g.Tokens.Count; i++)
        {
            var token = g.Tokens[i];
            var last = i == g.Tokens.Count - 1;
            var text = last ? g.Text[Math.Min(offset, g.Text.Length)..] : token.Text;
            if (i == 0 && Has(Violation.StreamTextDiffers))
            {
                text = "X" + text;
            }

            var separateFinish = last && Has(Violation.StreamSeparateEmptyFinishChunk);
            JsonNode? finish = last && !separateFinish && !Has(Violation.StreamNoFinishReason) ? g.FinishReason : Has(Violation.StreamIntermediateEmptyFinish) ? string.Empty : null;
            var choice = new JsonObject
            {
                ["index"] = 0,
                ["text"] = text,
                ["logprobs"] = request.Logprobs is { } k && !Has(Violation.StreamLogprobsNull) ? Logprobs([token], offset, false, k) : null,
                ["finish_reason"] = finish,
            };
            if (!Has(Violation.StreamChunkMissingStopReason))
            {
                choice["stop_reason"] = last && !separateFinish ? g.StopReason : null;
            }

            offset += token.Text.EnumerateRunes().Count();
            await EventAsync(Chunk(id, i, new JsonArray(choice), usage: false, null).ToJsonString());
            if (separateFinish)
            {
                var empty = new JsonObject { ["index"] = 0, ["text"] = string.Empty, ["logprobs"] = null, ["finish_reason"] = g.FinishReason, ["stop_reason"] = g.StopReason };
                await EventAsync(Chunk(id, i + 1, new JsonArray(empty), usage: false, null).ToJsonString());
            }
        }

        if (Has(Violation.StreamContentAfterFinish))
        {
            var extra = new JsonObject { ["index"] = 0, ["text"] = " more", ["logprobs"] = null, ["finish_reason"] = null, ["stop_reason"] = null };
            await EventAsync(Chunk(id, g.Tokens.Count, new JsonArray(extra), usage: false, null).ToJsonString());
        }

        var wantUsage = (request.IncludeUsage || Has(Violation.StreamUsageAlways)) && !Has(Violation.StreamNoUsageChunk);
        if (wantUsage)
        {
            var completion = g.Tokens.Count + (Has(Violation.StreamUsageCompletionOff) ? 1 : 0);
            JsonArray choices = Has(Violation.StreamUsageChoicesNotEmpty) ? [new JsonObject { ["index"] = 0, ["text"] = string.Empty }] : [];
            var usageChunk = Chunk(id, g.Tokens.Count + 1, choices, usage: true, Usage(PromptCount(g), completion, Has(Violation.StreamUsageTotalOff) ? 1 : 0)).ToJsonString();
            await EventAsync(usageChunk);
            if (Has(Violation.StreamUsageNotLast))
            {
                // A trailing chunk after the usage chunk; one without choices, so no content rule is touched.
                await EventAsync(Chunk(id, g.Tokens.Count + 2, [], usage: false, null).ToJsonString());
            }
        }

        if (!Has(Violation.StreamNoDone))
        {
            await WriteAsync("data: [DONE]" + nl + (Has(Violation.StreamDoneWithoutBlankLine) ? string.Empty : nl));
        }

        if (Has(Violation.StreamGarbageAfterDone))
        {
            await WriteAsync("data: trailing");
        }

        if (Has(Violation.StreamFieldBlocksAfterDone))
        {
            await WriteAsync("error: {\"message\":\"boom\"}" + nl + nl + "event: x" + nl + nl + "retry: 5" + nl + nl);
        }

        if (Has(Violation.StreamDataAfterDone))
        {
            await EventAsync(Chunk(id, 99, [], usage: false, null).ToJsonString());
        }
    }

    private JsonObject Chunk(string id, int sequence, JsonArray choices, bool usage, JsonObject? usageValue)
    {
        var chunk = new JsonObject
        {
            ["id"] = id,
            ["object"] = "text_completion",
            ["created"] = Created + (Has(Violation.StreamCreatedTicks) ? sequence : 0),
            ["model"] = Root,
            ["choices"] = choices,
        };
        if (Has(Violation.StreamChunkMissingIdentity))
        {
            chunk.Remove("id");
            chunk.Remove("created");
            chunk.Remove("model");
        }

        if (usage || !Has(Violation.StreamContentUsageOmitted))
        {
            chunk["usage"] = usageValue;
        }

        if (Has(Violation.StreamChunkExtraKey))
        {
            chunk["system_fingerprint"] = null;
        }

        return chunk;
    }

    private static uint Hash(string text)
    {
        // FNV-1a: stable across runs and platforms, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    [GeneratedRegex(@"\s*\S+")]
    private static partial Regex Words();
}
