using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// The shared requests of a run. Each is small (a few tokens) and sent at most once; greedy decoding and fixed seeds
/// make the answers comparable across probes (spec-facts §2.2, §4.5).
/// </summary>
internal static class Probes
{
    public const string Prompt = "The capital of France is";
    public const string EchoPrompt = "Hello world";
    public const int GreedyMaxTokens = 5;
    public const int GreedyLogprobs = 2;
    public const int EchoLogprobs = 1;
    public const int PromptLogprobs = 1;

    /// <summary>Non-streamed, greedy, seeded, with logprobs: the reference completion.</summary>
    public static Task<Exchange> Greedy(CheckContext ctx) => ctx.Completion("completion.greedy", GreedyBody(ctx));

    /// <summary>The same request streamed with <c>include_usage</c>; its text must equal <see cref="Greedy"/>'s.</summary>
    public static Task<Exchange> StreamWithUsage(CheckContext ctx)
    {
        var body = GreedyBody(ctx);
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };
        return ctx.Completion("stream.with-usage", body, stream: true);
    }

    /// <summary>A stream without <c>stream_options</c>: no usage chunk may appear (spec-facts §4.4).</summary>
    public static Task<Exchange> StreamPlain(CheckContext ctx) =>
        ctx.Completion(
            "stream.plain",
            new JsonObject { ["model"] = ctx.Model, ["prompt"] = Prompt, ["max_tokens"] = 3, ["temperature"] = 0, ["stream"] = true },
            stream: true);

    /// <summary>
    /// A stream with <c>stream_options: {}</c>: include_usage is unset, which OpenAI reads as "no usage" and vLLM as
    /// "usage" (spec-facts §4.4, §9 Q11, §10 item 6).
    /// </summary>
    public static Task<Exchange> StreamEmptyOptions(CheckContext ctx) =>
        ctx.Completion(
            "stream.empty-options",
            new JsonObject { ["model"] = ctx.Model, ["prompt"] = Prompt, ["max_tokens"] = 3, ["temperature"] = 0, ["stream"] = true, ["stream_options"] = new JsonObject() },
            stream: true);

    /// <summary>
    /// A stream with <c>stream_options: {include_usage: false}</c>: usage was declined in so many words, which llama.cpp's
    /// completions streams ignore (spec-facts §12.1).
    /// </summary>
    public static Task<Exchange> StreamIncludeUsageFalse(CheckContext ctx) =>
        ctx.Completion(
            "stream.include-usage-false",
            new JsonObject { ["model"] = ctx.Model, ["prompt"] = Prompt, ["max_tokens"] = 3, ["temperature"] = 0, ["stream"] = true, ["stream_options"] = new JsonObject { ["include_usage"] = false } },
            stream: true);

    /// <summary>A seeded, sampled request; <paramref name="copy"/> names the two identical sends.</summary>
    public static Task<Exchange> Seeded(CheckContext ctx, string copy) =>
        ctx.Completion(
            "consistency.seeded." + copy,
            new JsonObject { ["model"] = ctx.Model, ["prompt"] = "Once upon a time", ["max_tokens"] = GreedyMaxTokens, ["temperature"] = 1, ["seed"] = 7 });

    /// <summary>Echo with logprobs: the prompt is prepended and its first token has no logprob (spec-facts §3.1 L7).</summary>
    public static Task<Exchange> Echo(CheckContext ctx) =>
        ctx.Completion(
            "logprobs.echo",
            new JsonObject { ["model"] = ctx.Model, ["prompt"] = EchoPrompt, ["max_tokens"] = 1, ["temperature"] = 0, ["echo"] = true, ["logprobs"] = EchoLogprobs });

    /// <summary>prompt_logprobs on a non-streamed request (spec-facts §3.4).</summary>
    public static Task<Exchange> PromptLogprobsProbe(CheckContext ctx) =>
        ctx.Completion(
            "logprobs.prompt",
            new JsonObject { ["model"] = ctx.Model, ["prompt"] = EchoPrompt, ["max_tokens"] = 1, ["temperature"] = 0, ["prompt_logprobs"] = PromptLogprobs });

    /// <summary>GET models.</summary>
    public static Task<Exchange> Models(CheckContext ctx) => ctx.Probe(new RequestSpec("models", HttpMethod.Get, "models", Body: null));

    /// <summary>
    /// The greedy request again with a stop string taken from the greedy output, so the stop is certain to match.
    /// Returns null (with the reason) when the greedy output offers no usable stop string.
    /// </summary>
    public static async Task<(Exchange? Exchange, string? Stop, string? Expected, string? Reason)> Stopped(CheckContext ctx)
    {
        var greedy = await Greedy(ctx);
        var text = Json.Str(FirstChoice(greedy.Json)?["text"]);
        if (!greedy.IsSuccess || string.IsNullOrEmpty(text))
        {
            return (null, null, null, "the greedy probe produced no text to take a stop string from");
        }

        var stop = PickStop(greedy.Json?["choices"]?[0]?["logprobs"]?["tokens"] as JsonArray, text);
        if (stop is null)
        {
            return (null, null, null, "the greedy output has no non-blank token to stop on");
        }

        var body = GreedyBody(ctx);
        body.Remove("logprobs");
        body["stop"] = new JsonArray(stop);
        var exchange = await ctx.Completion("completion.stop", body);

        // The first occurrence of the stop string ends the text; what came before it is what must be returned (I10).
        var expected = text[..text.IndexOf(stop, StringComparison.Ordinal)];
        return (exchange, stop, expected, null);
    }

    public static JsonNode? FirstChoice(JsonNode? response) => (response?["choices"] as JsonArray) is { Count: > 0 } choices ? choices[0] : null;

    private static JsonObject GreedyBody(CheckContext ctx) => new()
    {
        ["model"] = ctx.Model,
        ["prompt"] = Prompt,
        ["max_tokens"] = GreedyMaxTokens,
        ["temperature"] = 0,
        ["seed"] = 42,
        ["logprobs"] = GreedyLogprobs,
    };

    private static string? PickStop(JsonArray? tokens, string text)
    {
        // Prefer a later token so some text precedes the stop; fall back to the last visible character.
        if (tokens is not null)
        {
            for (var i = tokens.Count - 1; i >= 1; i--)
            {
                var token = Json.Str(tokens[i]);
                if (!string.IsNullOrWhiteSpace(token) && text.Contains(token, StringComparison.Ordinal))
                {
                    return token;
                }
            }
        }

        var trimmed = text.TrimEnd();
        return trimmed.Length == 0 ? null : trimmed[^1..];
    }
}
