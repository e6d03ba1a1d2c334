using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// The shared chat requests of a run. Each is small and sent at most once (probes are cached by name), so the chat
/// response checks cost five short generations in all. The reference request is the provider docs' own example
/// (provider-docs/llmbase-chat-stream.txt): the streamed probes are the same body plus <c>stream: true</c> (spec-facts §13),
/// so the same seed must give the same content and the same counts.
/// </summary>
internal static class ChatProbes
{
    public const string Question = "Count to 5.";

    /// <summary>
    /// The logprobs probes ask something else: a scripted answer (a fixture for the docs' example) need not be the model's
    /// most likely token, and top_logprobs are judged on greedy decoding, where the sampled token is the best.
    /// </summary>
    public const string LogprobsQuestion = "Say hello.";
    public const int MaxTokens = 5;
    public const int LogprobsMaxTokens = 3;
    public const int TopLogprobs = 2;
    public const int Seed = 42;

    /// <summary>Non-streamed, greedy and seeded: the reference every other chat probe is compared with.</summary>
    public static Task<Exchange> Reference(CheckContext ctx) => ctx.Chat("chat.reference", Body(ctx));

    /// <summary>
    /// The chat gate, then the reference's success body: the answer to judge, or the outcome that stops the check (not
    /// applicable, or the reference's failure as evidence).
    /// </summary>
    public static async Task<(ChatReference? Reference, Outcome? Stop)> GatedReference(CheckContext ctx)
    {
        if (await ctx.ChatUnavailable() is { } na)
        {
            return (null, na);
        }

        var ex = await Reference(ctx);
        var (body, problem) = CompletionChecks.Success(ex);
        return body is null ? (null, problem) : (new ChatReference(ex, body), null);
    }

    /// <summary>The reference streamed without <c>stream_options</c>: only the seed provider puts usage in it (§13).</summary>
    public static Task<Exchange> Stream(CheckContext ctx)
    {
        var body = Body(ctx);
        body["stream"] = true;
        return ctx.Chat("chat.stream.plain", body, stream: true);
    }

    /// <summary>The reference streamed with <c>include_usage</c> (spec-facts §4.4).</summary>
    public static Task<Exchange> StreamWithUsage(CheckContext ctx)
    {
        var body = Body(ctx);
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };
        return ctx.Chat("chat.stream.with-usage", body, stream: true);
    }

    /// <summary>Chat logprobs with <c>top_logprobs</c> (spec-facts §3.3), not streamed.</summary>
    public static Task<Exchange> Logprobs(CheckContext ctx) => ctx.Chat("chat.logprobs", LogprobsBody(ctx));

    /// <summary>The same, streamed: each content chunk carries the logprobs of its own tokens.</summary>
    public static Task<Exchange> LogprobsStream(CheckContext ctx)
    {
        var body = LogprobsBody(ctx);
        body["stream"] = true;
        return ctx.Chat("chat.logprobs.stream", body, stream: true);
    }

    private static JsonObject Body(CheckContext ctx, string question = Question) => new()
    {
        ["model"] = ctx.Model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = question }),
        ["max_tokens"] = MaxTokens,
        ["temperature"] = 0,
        ["seed"] = Seed,
    };

    private static JsonObject LogprobsBody(CheckContext ctx)
    {
        var body = Body(ctx, LogprobsQuestion);
        body["max_tokens"] = LogprobsMaxTokens;
        body["logprobs"] = true;
        body["top_logprobs"] = TopLogprobs;
        return body;
    }
}

/// <summary>The reference chat completion that answered 200 with a JSON object: its exchange and body.</summary>
internal sealed record ChatReference(Exchange Exchange, JsonObject Body);
