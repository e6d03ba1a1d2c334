using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>
/// A programmable <c>POST /v1/chat/completions</c> on Kestrel at 127.0.0.1:0, speaking one <see cref="ChatDialect"/>
/// to the letter; each <see cref="ChatViolation"/> breaks one rule so a test can prove the matching chat check fails.
/// It serves only chat (the acs fake serves completions only, so its chat checks are not applicable). Generation is a deterministic toy: token i is picked from a fixed vocabulary by a hash of
/// the last user message, the seed (or the request number when unseeded) and i. Routing and requests here; the wire in
/// <c>FakeChatServer.Wire.cs</c>.
/// </summary>
public sealed partial class FakeChatServer : IAsyncDisposable
{
    private const long Created = 1_700_000_000;
    private const int NaturalLength = 6;

    // Multi-byte tokens keep bytes-match-token honest: ’ is three UTF-8 bytes, é two.
    private static readonly string[] Vocabulary = ["1", ",", " 2", " 3", " 4", " 5", ".", " Sure", "’s", " count", " café", "!"];

    private readonly FakeChatOptions _options;
    private readonly LocalKestrel _host;
    private int _requests;

    private FakeChatServer(FakeChatOptions options, LocalKestrel host)
    {
        _options = options;
        _host = host;
    }

    /// <summary>Gets the base URL including <c>/v1</c>.</summary>
    public Uri BaseUrl => _host.BaseUrl;

    public static async Task<FakeChatServer> StartAsync(FakeChatOptions? options = null)
    {
        FakeChatServer? server = null;
        var host = await LocalKestrel.StartAsync(app => app.MapPost("/v1/chat/completions", (HttpContext ctx) => server!.HandleAsync(ctx)));
        server = new FakeChatServer(options ?? new FakeChatOptions(), host);
        return server;
    }

    public ValueTask DisposeAsync() => _host.DisposeAsync();

    private bool Has(ChatViolation v) => _options.Violations.Contains(v);

    private sealed record ChatCall(string Question, int MaxTokens, string Salt, bool Stream, bool IncludeUsage, int? TopLogprobs, int PromptTokens, string Model);

    private sealed record Token(string Text, double Logprob, List<(string Text, double Logprob)> Top);

    private async Task HandleAsync(HttpContext ctx)
    {
        var number = Interlocked.Increment(ref _requests);
        if (_options.NoRoute)
        {
            ctx.Response.StatusCode = 404;
            await ctx.Response.WriteAsync("404 page not found", ctx.RequestAborted);
            return;
        }

        var auth = ctx.Request.Headers.Authorization.ToString();
        if (_options.ApiKey is not null && auth != "Bearer " + _options.ApiKey)
        {
            await ErrorAsync(ctx, 401, "Invalid API key.", null, "invalid_api_key");
            return;
        }

        var body = await FakeRequests.JsonObjectAsync(ctx);

        if (body?["messages"] is not JsonArray { Count: > 0 } messages)
        {
            await ErrorAsync(ctx, 400, "messages must be a non-empty array.", "messages", "invalid_value");
            return;
        }

        if (_options.NoTemplate)
        {
            // vLLM's words for a base model (spec-facts §5 notes, vllm#39279).
            await ErrorAsync(ctx, 400, "As of transformers v4.44, default chat template is no longer allowed, so you must provide a chat template if the tokenizer does not define one.", null, null);
            return;
        }

        var question = messages.LastOrDefault(m => Json.Str(m?["role"]) == "user")?["content"] is { } content ? Json.Str(content) ?? content.ToJsonString() : string.Empty;
        var maxTokens = (int)(Json.Int(body["max_completion_tokens"]) ?? Json.Int(body["max_tokens"]) ?? 16);
        var salt = Json.Number(body["temperature"]) == 0 ? "greedy" : Json.Int(body["seed"]) is { } seed ? "seed" + seed : "run" + number;
        var rendered = string.Concat(messages.Select(m => $"<|{Json.Str(m?["role"])}|>{Json.Str(m?["content"])}"));
        var call = new ChatCall(
            question, Math.Max(1, maxTokens), salt, Json.Kind(body["stream"]) == JsonValueKind.True,
            Json.Kind(body["stream_options"]?["include_usage"]) == JsonValueKind.True,
            Json.Kind(body["logprobs"]) == JsonValueKind.True ? (int)(Json.Int(body["top_logprobs"]) ?? 0) : null,
            PromptTokens: 8 + rendered.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length,
            Model: Json.Str(body["model"]) ?? "chat-model");
        if (Has(ChatViolation.LogprobsStreamRejected) && call.Stream && call.TopLogprobs is not null)
        {
            await ErrorAsync(ctx, 400, "logprobs are not supported when streaming.", "logprobs", "invalid_value");
            return;
        }

        List<Token> tokens = Has(ChatViolation.EmptyAnswer) ? [] : Generate(call);
        if (call.Stream)
        {
            await StreamAsync(ctx, call, tokens, number);
        }
        else
        {
            await WriteJsonAsync(ctx, 200, NonStreamed(call, tokens, number));
        }
    }

    private static List<Token> Generate(ChatCall call)
    {
        var tokens = new List<Token>();
        for (var i = 0; i < Math.Min(call.MaxTokens, NaturalLength); i++)
        {
            var index = (int)(Hash(call.Question + "|" + call.Salt + "|" + i) % (uint)Vocabulary.Length);
            var text = Vocabulary[index];
            var logprob = -0.25 - (0.01 * i);

            // The sampled token first (greedy: the best), then distinct alternatives, each worse than the last.
            var top = new List<(string, double)> { (text, logprob) };
            for (var j = 1; top.Count < Math.Max(1, call.TopLogprobs ?? 0); j++)
            {
                var alt = Vocabulary[(index + (j * 5)) % Vocabulary.Length];
                if (top.All(t => t.Item1 != alt))
                {
                    top.Add((alt, logprob - j));
                }
            }

            tokens.Add(new Token(text, logprob, top));
        }

        return tokens;
    }

    private static string Finish(ChatCall call, List<Token> tokens) => tokens.Count == call.MaxTokens ? "length" : "stop";

    private static async Task ErrorAsync(HttpContext ctx, int status, string message, string? param, string? code)
    {
        var error = new JsonObject { ["message"] = message, ["type"] = "invalid_request_error", ["param"] = param, ["code"] = code };
        await WriteJsonAsync(ctx, status, new JsonObject { ["error"] = error });
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted);
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
}
