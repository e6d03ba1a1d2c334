using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>The legacy completions logprobs object (spec-facts §3.1) and vLLM's prompt_logprobs (§3.4).</summary>
internal static class LogprobsChecks
{
    private static readonly string[] ArrayKeys = ["tokens", "token_logprobs", "top_logprobs", "text_offset"];
    private const string LegacyShape = "{tokens, token_logprobs, top_logprobs, text_offset}";

    public static IEnumerable<CheckDefinition> All()
    {
        yield return Over("logprobs.arrays-equal-length", "tokens, token_logprobs, top_logprobs and text_offset have equal length", "spec-facts §3.1 L1", EqualLength);
        yield return Over("logprobs.values-non-positive", "Every logprob is <= 0", "spec-facts §3.1 L2", NonPositive);
        yield return Over("logprobs.top-k-size", "Each top_logprobs entry has 1..k+1 items", "spec-facts §3.1 L4", TopKSize);
        yield return Over("logprobs.top-contains-sampled", "Each top_logprobs entry contains the sampled token", "spec-facts §3.1 L4", TopContainsSampled);
        yield return Over("logprobs.text-offset-non-decreasing", "text_offset never decreases", "spec-facts §3.1 L5", OffsetsNonDecreasing);
        yield return CompletionChecks.OnBody("logprobs.echo-first-null", "echo prepends the prompt and its first token has a null logprob", "spec-facts §2.2 I11, §3.1 L7", Probes.Echo, EchoFirstNull);
        yield return CompletionChecks.OnBody("logprobs.prompt-logprobs-shape", "prompt_logprobs is a list: null, then {token id: {logprob, rank, decoded_token}}", "spec-facts §3.4", Probes.PromptLogprobsProbe, PromptLogprobsShape);
        yield return new("logprobs.stream-per-chunk", "A stream asked for logprobs carries them on every content chunk", "spec-facts §4.5", StreamPerChunk);
    }

    /// <summary>One logprobs object to judge: where it came from, k, and whether position 0 may be null (echo).</summary>
    private sealed record Source(string Label, Exchange Exchange, JsonNode? Logprobs, int K, bool EchoFirst, string Excerpt);

    private static CheckDefinition Over(string id, string title, string spec, Func<CheckContext, Source, (string Expected, string Seen)?> rule) =>
        new(id, title, spec, async ctx =>
        {
            var (sources, notes, problem) = await Sources(ctx);
            if (problem is not null)
            {
                return problem;
            }

            foreach (var source in sources)
            {
                // Judged only in the legacy shape: a rule over arrays that are absent would pass on nothing.
                if (ShapeProblem(source) is { } shape)
                {
                    return Outcome.Fail($"{source.Label}: {shape}", source.Exchange, $"a logprobs object {LegacyShape} (logprobs = {source.K} was requested)", shape, source.Excerpt);
                }

                if (rule(ctx, source) is { } broken)
                {
                    return Outcome.Fail($"{source.Label}: {broken.Seen}", source.Exchange, broken.Expected, broken.Seen, source.Excerpt);
                }
            }

            var judged = string.Join(", ", sources.Select(x => x.Label.StartsWith("streamed", StringComparison.Ordinal) ? "streamed" : x.Label).Distinct(StringComparer.Ordinal));
            return Outcome.Pass($"{sources.Count} logprobs objects ({judged})" + string.Concat(notes.Select(n => "; " + n)));
        });

    /// <summary>
    /// Why a logprobs object cannot be judged by the legacy rules, naming the shape seen (spec-facts §3.1, §3.2), or
    /// null when it has the four arrays and covers at least one token.
    /// </summary>
    public static string? ShapeProblem(JsonNode? logprobs, int k)
    {
        if (logprobs is not JsonObject obj)
        {
            return logprobs is null ? $"logprobs is null although logprobs = {k} was requested" : $"logprobs is {Json.Kind(logprobs).ToString().ToLowerInvariant()} {Exchange.Excerpt(Json.Show(logprobs), 80)}, expected an object {LegacyShape}";
        }

        if (obj["content"] is JsonArray && ArrayKeys.All(key => obj[key] is not JsonArray))
        {
            return $"logprobs has the chat shape {{content: [...]}}, expected {LegacyShape}";
        }

        var notArrays = ArrayKeys.Where(key => obj[key] is not JsonArray).ToList();
        if (notArrays.Count > 0)
        {
            return $"logprobs has the keys {{{string.Join(", ", obj.Select(p => p.Key))}}} ({string.Join(", ", notArrays)} not an array), expected {LegacyShape}";
        }

        return obj["tokens"] is JsonArray { Count: 0 } ? "logprobs covers no token (tokens is [])" : null;
    }

    private static string? ShapeProblem(Source source) => ShapeProblem(source.Logprobs, source.K);

    /// <summary>
    /// Every logprobs object the shared probes produced: the greedy completion, the echo, and each streamed chunk. Each
    /// source that answered is judged; an echo or stream probe that failed is left to logprobs.echo-first-null and
    /// logprobs.stream-per-chunk, so one broken probe does not fail every shape check. Only the greedy completion,
    /// the reference every check reads, must succeed.
    /// </summary>
    /// <remarks>What was not judged is returned as notes, so a pass says which evidence it lacked.</remarks>
    private static async Task<(List<Source> Sources, List<string> Notes, Outcome? Problem)> Sources(CheckContext ctx)
    {
        var sources = new List<Source>();
        var notes = new List<string>();
        var greedy = await Probes.Greedy(ctx);
        var (body, problem) = CompletionChecks.Success(greedy);
        if (body is null)
        {
            return (sources, notes, problem);
        }

        sources.Add(new("non-streamed", greedy, Probes.FirstChoice(body)?["logprobs"], Probes.GreedyLogprobs, false, Exchange.Excerpt(Json.Show(Probes.FirstChoice(body)?["logprobs"]), 800)));
        var echo = await Probes.Echo(ctx);
        var (echoBody, echoProblem) = CompletionChecks.Success(echo);
        if (echoBody is not null)
        {
            sources.Add(new("echo", echo, Probes.FirstChoice(echoBody)?["logprobs"], Probes.EchoLogprobs, true, Exchange.Excerpt(Json.Show(Probes.FirstChoice(echoBody)?["logprobs"]), 800)));
        }
        else
        {
            notes.Add($"echo not judged ({echoProblem!.Message}; logprobs.echo-first-null reports that)");
        }

        var (view, streamProblem) = StreamView.From(await Probes.StreamWithUsage(ctx));
        if (view is null)
        {
            notes.Add($"stream not judged ({streamProblem!.Message}; logprobs.stream-per-chunk reports that)");
            return (sources, notes, null);
        }

        var withoutLogprobs = 0;
        foreach (var (chunk, choice) in view.ByChoice.SelectMany(g => g))
        {
            if (choice["logprobs"] is JsonObject)
            {
                sources.Add(new($"streamed chunk #{chunk.Event.Index}", view.Exchange, choice["logprobs"], Probes.GreedyLogprobs, false, StreamView.Frame(chunk)));
            }
            else if (!string.IsNullOrEmpty(Json.Str(choice["text"])))
            {
                withoutLogprobs++;
            }
        }

        if (withoutLogprobs > 0)
        {
            notes.Add($"{withoutLogprobs} streamed chunk(s) with text carried no logprobs and were not judged (logprobs.stream-per-chunk reports that)");
        }

        return (sources, notes, null);
    }

    private static (string, string)? EqualLength(CheckContext ctx, Source s)
    {
        var lengths = ArrayKeys
            .Select(k => (Key: k, Count: (s.Logprobs![k] as JsonArray)?.Count)).ToList();
        var counts = lengths.Select(l => l.Count).Distinct().ToList();
        return counts.Count == 1 && counts[0] is > 0
            ? null
            : ("four arrays of equal, non-zero length", string.Join(", ", lengths.Select(l => $"{l.Key}: {(l.Count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "not an array")}")));
    }

    private static (string, string)? NonPositive(CheckContext ctx, Source s)
    {
        var values = s.Logprobs!["token_logprobs"] as JsonArray ?? [];
        for (var i = 0; i < values.Count; i++)
        {
            if (i == 0 && s.EchoFirst && values[i] is null)
            {
                continue;
            }

            if (Json.Number(values[i]) is not { } v || v > 0)
            {
                return ("token_logprobs values <= 0", $"token_logprobs[{i}] = {Json.Show(values[i])}");
            }

            if (s.Logprobs["top_logprobs"]?[i] is JsonObject top && top.FirstOrDefault(p => Json.Number(p.Value) is not { } t || t > 0) is { Key: not null } bad)
            {
                return ("top_logprobs values <= 0", $"top_logprobs[{i}][{Json.Quote(bad.Key)}] = {Json.Show(bad.Value)}");
            }
        }

        return null;
    }

    private static (string, string)? TopKSize(CheckContext ctx, Source s)
    {
        var tops = s.Logprobs!["top_logprobs"] as JsonArray ?? [];
        // spec-facts §3.1 L4: k or k+1 as a rule, but fewer when two token ids decode to the same string (vLLM's dict
        // keys collide), so every profile accepts 1..k+1.
        const int min = 1;
        for (var i = 0; i < tops.Count; i++)
        {
            if (i == 0 && s.EchoFirst && tops[i] is null)
            {
                continue;
            }

            var count = (tops[i] as JsonObject)?.Count;
            if (count is null || count < min || count > s.K + 1)
            {
                return ($"top_logprobs entries of {min}..{s.K + 1} items (logprobs = {s.K})", $"top_logprobs[{i}] has {(count is { } c ? c.ToString(System.Globalization.CultureInfo.InvariantCulture) : "no object")}");
            }
        }

        return null;
    }

    private static (string, string)? TopContainsSampled(CheckContext ctx, Source s)
    {
        var tokens = s.Logprobs!["tokens"] as JsonArray ?? [];
        var tops = s.Logprobs["top_logprobs"] as JsonArray ?? [];
        for (var i = 0; i < Math.Min(tokens.Count, tops.Count); i++)
        {
            if (i == 0 && s.EchoFirst && tops[i] is null)
            {
                continue;
            }

            var token = Json.Str(tokens[i]);
            if (token is null || tops[i] is not JsonObject top || !top.ContainsKey(token))
            {
                return ("top_logprobs[i] contains tokens[i]", $"top_logprobs[{i}] lacks {Json.Quote(token)}: {Json.Show(tops[i])}");
            }
        }

        return null;
    }

    private static (string, string)? OffsetsNonDecreasing(CheckContext ctx, Source s)
    {
        var offsets = s.Logprobs!["text_offset"] as JsonArray ?? [];
        long previous = long.MinValue;
        for (var i = 0; i < offsets.Count; i++)
        {
            if (Json.Int(offsets[i]) is not { } offset || offset < previous)
            {
                return ("non-decreasing integer text_offset", $"text_offset[{i}] = {Json.Show(offsets[i])} after {previous}");
            }

            previous = offset;
        }

        return null;
    }

    private static Outcome EchoFirstNull(CheckContext ctx, Exchange ex, JsonObject body)
    {
        var choice = Probes.FirstChoice(body);
        var text = Json.Str(choice?["text"]);
        if (text is null || !text.StartsWith(Probes.EchoPrompt, StringComparison.Ordinal))
        {
            return Outcome.Fail("echo did not prepend the prompt", ex, $"text starting with {Json.Quote(Probes.EchoPrompt)}", $"text = {Json.Show(choice?["text"])}");
        }

        var logprobs = choice?["logprobs"];
        if (ShapeProblem(logprobs, Probes.EchoLogprobs) is { } shape)
        {
            return Outcome.Fail($"the echoed logprobs cannot be judged: {shape}", ex, $"logprobs {LegacyShape} with token_logprobs[0] = null", shape, Exchange.Excerpt(Json.Show(logprobs), 600));
        }

        var first = logprobs?["token_logprobs"] is JsonArray { Count: > 0 } values ? values[0] : JsonValue.Create("(missing)");
        var firstTop = logprobs?["top_logprobs"] is JsonArray { Count: > 0 } tops ? tops[0] : JsonValue.Create("(missing)");
        return first is null && firstTop is null
            ? Outcome.Pass()
            : Outcome.Fail("the first echoed token's logprob is not null", ex, "token_logprobs[0] = null and top_logprobs[0] = null", $"token_logprobs[0] = {Json.Show(first)}, top_logprobs[0] = {Json.Show(firstTop)}");
    }

    private static Outcome PromptLogprobsShape(CheckContext ctx, Exchange ex, JsonObject body)
    {
        const string Expected = "[null, {\"<token id>\": {\"logprob\": <= 0, \"rank\": int|null, \"decoded_token\": string|null}}, ...]";
        var entries = Probes.FirstChoice(body)?["prompt_logprobs"] as JsonArray;
        if (entries is not { Count: > 0 } || entries[0] is not null)
        {
            return Outcome.Fail("prompt_logprobs is not a list starting with null", ex, Expected, $"prompt_logprobs = {Exchange.Excerpt(Json.Show(Probes.FirstChoice(body)?["prompt_logprobs"]), 300)}");
        }

        for (var i = 1; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject { Count: > 0 } entry)
            {
                return Outcome.Fail($"prompt_logprobs[{i}] is not a non-empty object", ex, Expected, Json.Show(entries[i]));
            }

            foreach (var (key, value) in entry)
            {
                var ok = key.Length > 0 && key.All(char.IsAsciiDigit)
                    && Json.Number(value?["logprob"]) is <= 0
                    && Json.Kind(value?["rank"]) is JsonValueKind.Number or JsonValueKind.Null
                    && Json.Kind(value?["decoded_token"]) is JsonValueKind.String or JsonValueKind.Null;
                if (!ok)
                {
                    return Outcome.Fail($"prompt_logprobs[{i}] has a malformed entry", ex, Expected, $"{Json.Quote(key)}: {Json.Show(value)}");
                }
            }
        }

        ctx.Observe("logprobs.prompt_logprobs_length", entries.Count);
        return Outcome.Pass($"{entries.Count} positions");
    }

    private static async Task<Outcome> StreamPerChunk(CheckContext ctx)
    {
        var (view, problem) = StreamView.From(await Probes.StreamWithUsage(ctx));
        if (view is null)
        {
            return problem!;
        }

        var judged = 0;
        foreach (var (chunk, choice) in view.ByChoice.SelectMany(g => g))
        {
            // A chunk with empty text carries no token: a separate finish chunk (openai, spec-facts §4.3, §9 Q9) or a
            // hold-back chunk (§9 Q10) may send "logprobs": null. Whether such a finish chunk is allowed at all is
            // stream.finish-reason.on-last-content-chunk's rule, not this one's.
            if (string.IsNullOrEmpty(Json.Str(choice["text"])))
            {
                continue;
            }

            judged++;
            if (choice["logprobs"] is JsonObject && ShapeProblem(choice["logprobs"], Probes.GreedyLogprobs) is { } shape)
            {
                return Outcome.Fail($"a content chunk's {shape}", view.Exchange, $"logprobs {LegacyShape} with at least one token on every content chunk with text", shape, StreamView.Frame(chunk));
            }

            if (choice["logprobs"]?["tokens"] is not JsonArray { Count: > 0 })
            {
                return Outcome.Fail("a content chunk lacks its logprobs", view.Exchange, "logprobs with at least one token on every content chunk with text (logprobs = 2 was requested)", $"logprobs = {Json.Show(choice["logprobs"])}", StreamView.Frame(chunk));
            }
        }

        return judged > 0
            ? Outcome.Pass($"{judged} chunks with text, each with logprobs")
            : Outcome.Fail("no content chunk carries text", view.Exchange, "content chunks with text and logprobs", "none", Exchange.Excerpt(view.Exchange.BodyText, 600));
    }
}
