using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;
using Conformance.Profiles;

namespace Conformance.Checks;

/// <summary>
/// The chat completions stream (spec-facts §5, §8, §13): the SSE framing shared with completions (<see cref="SseFraming"/>),
/// then chat chunk semantics read from the profile's <see cref="ChatRules"/>: the role chunk, delta keys, where the
/// finish and the usage go, and that the streamed content and counts equal the non-streamed ones.
/// </summary>
internal static class ChatStreamChecks
{
    /// <summary>The id prefix of these checks, which also prefixes the observations they record.</summary>
    private const string Family = "chat.stream";

    private const string ChunkObject = "chat.completion.chunk";

    public static IEnumerable<CheckDefinition> All()
    {
        yield return OnStream("chat.stream.content-type", "The chat stream is served as text/event-stream", "spec-facts §5, §8", (ctx, view) => SseFraming.ContentType(ctx, view, Family));
        yield return OnStream("chat.stream.data-only", "Every chat stream event carries only `data:` fields", "spec-facts §8", (_, view) => SseFraming.DataOnly(view));
        yield return OnStream("chat.stream.json-per-event", "Every chat stream event before [DONE] is one JSON object", "spec-facts §8", (_, view) => SseFraming.JsonPerEvent(view));
        yield return OnStream("chat.stream.done.single-and-last", "A single [DONE] ends the chat stream and nothing follows it", "spec-facts §5, §8", (ctx, view) => SseFraming.DoneSingleAndLast(ctx, view, Family));
        yield return OnStream("chat.stream.done.blank-line", "data: [DONE] is followed by its blank line", "spec-facts §8 (warn only)", (_, view) => SseFraming.DoneBlankLine(view, Family));
        yield return new("chat.stream.not-truncated", "The chat stream reaches [DONE] (a stream without it is truncated)", "spec-facts §8", NotTruncated);
        yield return OnStream("chat.stream.sse-parser-agreement", "System.Net.ServerSentEvents sees the same chat events as the strict parser", "spec-facts §8", (_, view) => SseFraming.ParserAgreement(view));
        yield return OnStreams("chat.stream.object", "Every chunk is a `chat.completion.chunk` with a string id, integer created and string model", "spec-facts §5, §13", ObjectAndIdentity);
        yield return OnStream("chat.stream.constant-identity", "id, created and model are constant across chat chunks", "spec-facts §4.2, §9 Q15, §13", ConstantIdentity);
        yield return OnStreams("chat.stream.role-first", "Each choice starts with a role chunk (`delta.role` \"assistant\", content as the profile says)", "spec-facts §5, §12.2, §13", RoleFirst);
        yield return OnStreams("chat.stream.delta-keys", "Every choice carries a delta with only known keys", "spec-facts §5; OAS ChatCompletionStreamResponseDelta", DeltaKeys);
        yield return new("chat.stream.content-equals-non-stream", "The content deltas of a seeded stream concatenate to the non-streamed content", "spec-facts §13 (same body plus stream: true)", ContentEqualsNonStream);
        yield return OnStreams("chat.stream.finish-placement", "The finish arrives where the profile says (a separate empty delta, or with the last content)", "spec-facts §5, §10 item 4, §12.2, §13", FinishPlacementRule);
        yield return OnStreams("chat.stream.finish-once", "Each choice finishes exactly once, finish_reason is null before, and nothing of it follows", "spec-facts §4.3, §5", FinishOnce);
        yield return OnStream("chat.stream.usage.when-requested", "With include_usage, usage arrives once where the profile says", "spec-facts §4.4, §5, §13", (ctx, view) => UsagePlaced(ctx, view, requested: true), ChatProbes.StreamWithUsage);
        yield return OnStream("chat.stream.usage.without-options", "Without stream_options, usage arrives only if the profile sends it in every stream", "spec-facts §4.4, §13", (ctx, view) => UsagePlaced(ctx, view, requested: false));
        yield return OnStream("chat.stream.usage.other-chunks", "With include_usage, the other chunks carry `usage: null` or no usage key, as the profile says", "spec-facts §4.4, §9 Q12", OtherChunks, ChatProbes.StreamWithUsage);
        yield return OnStream("chat.stream.usage.sums-exact", "The streamed usage adds up", "spec-facts §2.2 I2, §4.4", UsageSums, ChatProbes.StreamWithUsage);
        yield return new("chat.stream.usage.matches-non-stream", "The streamed usage counts equal the non-streamed counts of the same seeded request", "spec-facts §13", UsageMatchesNonStream);
    }

    /// <summary>The streams the structural rules are judged on: the plain one and the one with include_usage.</summary>
    private static readonly Func<CheckContext, Task<Exchange>>[] Streams = [ChatProbes.Stream, ChatProbes.StreamWithUsage];

    /// <summary>A chat check on one stream (the plain one unless named), behind the chat gate.</summary>
    private static CheckDefinition OnStream(string id, string title, string spec, Func<CheckContext, StreamView, Outcome> evaluate, Func<CheckContext, Task<Exchange>>? probe = null) =>
        new(id, title, spec, async ctx =>
        {
            if (await ctx.ChatUnavailable() is { } na)
            {
                return na;
            }

            var (view, problem) = StreamView.From(await (probe ?? ChatProbes.Stream)(ctx), kind: ChunkKind.Chat);
            return view is null ? problem! : evaluate(ctx, view);
        });

    /// <summary>A chat check judged on both streams; the first failure is the verdict.</summary>
    private static CheckDefinition OnStreams(string id, string title, string spec, Func<CheckContext, StreamView, Outcome> evaluate) =>
        new(id, title, spec, async ctx =>
        {
            if (await ctx.ChatUnavailable() is { } na)
            {
                return na;
            }

            Outcome? last = null;
            foreach (var probe in Streams)
            {
                var (view, problem) = StreamView.From(await probe(ctx), kind: ChunkKind.Chat);
                last = view is null ? problem! : evaluate(ctx, view);
                if (last.Kind != OutcomeKind.Pass)
                {
                    return last;
                }
            }

            return last!;
        });

    private static async Task<Outcome> NotTruncated(CheckContext ctx)
    {
        if (await ctx.ChatUnavailable() is { } na)
        {
            return na;
        }

        foreach (var probe in Streams)
        {
            var (view, problem) = StreamView.From(await probe(ctx), requireContent: false, kind: ChunkKind.Chat);
            if (view is null)
            {
                return problem!;
            }

            if (SseFraming.Truncation(ctx, view, Family) is { } truncated)
            {
                return truncated;
            }
        }

        ctx.Observe(Family + ".truncated", false);
        return Outcome.Pass();
    }

    private static Outcome ObjectAndIdentity(CheckContext ctx, StreamView view)
    {
        if (SseFraming.IdentityProblem(view) is { } identity)
        {
            return identity;
        }

        var wrong = view.Chunks.FirstOrDefault(c => Json.Str(c.Json["object"]) != ChunkObject);
        return wrong is null
            ? Outcome.Pass($"{view.Chunks.Count} chunks")
            : Outcome.Fail($"a chunk's object is not \"{ChunkObject}\"", view.Exchange, $"object \"{ChunkObject}\" on every chunk", $"object {(Json.Has(wrong.Json, "object") ? Json.Show(wrong.Json["object"]) : "absent")}", StreamView.Frame(wrong));
    }

    private static Outcome ConstantIdentity(CheckContext ctx, StreamView view) =>
        SseFraming.ConstantIdentity(view, "chat.stream.object", single => Outcome.Fail(
            "nothing to judge: the chat stream has a single chunk (chat.stream.role-first reports what it lacks)", single.Exchange,
            "a role chunk, content and a finish: several chunks", "1 chunk", StreamView.Frame(single.Chunks[0])));

    private static Outcome RoleFirst(CheckContext ctx, StreamView view)
    {
        var rule = ctx.Profile.Chat.RoleContent;
        foreach (var group in view.ByChoice)
        {
            var (chunk, choice) = group.First();
            var delta = choice["delta"] as JsonObject;
            if (Json.Str(delta?["role"]) != "assistant")
            {
                return Outcome.Fail(
                    $"choice {group.Key}'s first chunk carries no role", view.Exchange, "delta.role \"assistant\" on the choice's first chunk",
                    $"delta = {Json.Show(delta)}", StreamView.Frame(chunk));
            }

            var content = delta!["content"];
            ctx.Observe(Family + ".role_chunk_content", !delta.ContainsKey("content") ? "absent" : content is null ? "null" : Json.Show(content));
            var ok = rule switch
            {
                RoleChunkContent.Absent => !delta.ContainsKey("content"),
                RoleChunkContent.Empty => Json.Str(content) == string.Empty,
                _ => delta.ContainsKey("content") && content is null,
            };
            if (!ok)
            {
                return Outcome.Fail(
                    $"choice {group.Key}'s role chunk has content {(delta.ContainsKey("content") ? Json.Show(content) : "absent")}", view.Exchange,
                    $"the role chunk {Expected(rule)}", $"delta = {Json.Show(delta)}", StreamView.Frame(chunk));
            }
        }

        return Outcome.Pass();

        static string Expected(RoleChunkContent rule) => rule switch
        {
            RoleChunkContent.Absent => "{\"role\": \"assistant\"} without a content key (spec-facts §13)",
            RoleChunkContent.Empty => "{\"role\": \"assistant\", \"content\": \"\"} (spec-facts §5)",
            _ => "{\"role\": \"assistant\", \"content\": null} (spec-facts §12.2)",
        };
    }

    private static Outcome DeltaKeys(CheckContext ctx, StreamView view)
    {
        var known = ctx.Profile.Chat.DeltaKeys;
        foreach (var group in view.ByChoice)
        {
            foreach (var (chunk, choice) in group)
            {
                if (choice["delta"] is not JsonObject delta)
                {
                    return Outcome.Fail($"a chunk of choice {group.Key} carries no delta object", view.Exchange, "a delta object on every choice", $"delta = {(Json.Has(choice, "delta") ? Json.Show(choice["delta"]) : "absent")}", StreamView.Frame(chunk));
                }

                var unknown = delta.Select(p => p.Key).Where(k => !known.Contains(k)).ToList();
                if (unknown.Count > 0)
                {
                    return Outcome.Fail(
                        $"a delta carries unknown key(s) {string.Join(", ", unknown.Select(Json.Quote))}", view.Exchange,
                        "delta keys among " + string.Join(", ", known), "delta keys " + string.Join(", ", delta.Select(p => p.Key)), StreamView.Frame(chunk));
                }
            }
        }

        return Outcome.Pass();
    }

    private static async Task<Outcome> ContentEqualsNonStream(CheckContext ctx)
    {
        var (answer, stop) = await ChatProbes.GatedReference(ctx);
        if (answer is null)
        {
            return stop!;
        }

        var (reference, body) = answer;

        var expected = Json.Str(Probes.FirstChoice(body)?["message"]?["content"]);
        if (string.IsNullOrEmpty(expected))
        {
            // An empty reference proves nothing: a stream of a role chunk and a finish chunk joins to "" too.
            return Outcome.Fail(
                expected is null ? "nothing to judge: the non-streamed chat completion has no string message.content" : "nothing to judge: the non-streamed chat completion's message.content is \"\", so no streamed content can be compared with it",
                reference, "choices[0].message.content, a non-empty string", $"choices = {Exchange.Excerpt(Json.Show(body["choices"]), 200)}");
        }

        var (view, streamProblem) = StreamView.From(await ChatProbes.Stream(ctx), kind: ChunkKind.Chat);
        if (view is null)
        {
            return streamProblem!;
        }

        var seen = string.Concat(view.ByChoice.FirstOrDefault(g => g.Key == 0)?.Select(x => Json.Str(x.Choice["delta"]?["content"]) ?? string.Empty) ?? []);
        return seen == expected
            ? Outcome.Pass($"{Json.Quote(seen)}")
            : Outcome.Fail("the streamed content differs from the non-streamed content", view.Exchange, $"content = {Json.Quote(expected)} (non-streamed)", $"content = {Json.Quote(seen)} (streamed, joined)");
    }

    /// <summary>The finish chunk of each choice: the first whose finish_reason is a string (null when a choice never finishes).</summary>
    private static IEnumerable<(long Index, List<(Chunk Chunk, JsonNode Choice)> Items, int FinishAt)> Finishes(StreamView view) =>
        view.ByChoice.Select(g =>
        {
            var items = g.ToList();
            return (g.Key, items, items.FindIndex(x => Json.Str(x.Choice["finish_reason"]) is not null));
        });

    private static Outcome FinishPlacementRule(CheckContext ctx, StreamView view)
    {
        var rule = ctx.Profile.Chat.Finish;
        foreach (var (index, items, finishAt) in Finishes(view))
        {
            if (finishAt < 0)
            {
                return Outcome.Fail(
                    $"nothing to judge: choice {index} never finishes (chat.stream.finish-once reports that)", view.Exchange,
                    "a chunk with the choice's finish_reason", "no finish_reason on any chunk", StreamView.Frame(items[^1].Chunk));
            }

            var (chunk, choice) = items[finishAt];
            var delta = choice["delta"] as JsonObject;
            ctx.Observe(Family + ".finish_delta_empty", delta is { Count: 0 });
            if (rule == FinishPlacement.SeparateEmptyDelta && delta is not { Count: 0 })
            {
                return Outcome.Fail(
                    $"choice {index}'s finish chunk carries a delta that is not empty", view.Exchange,
                    "the finish_reason on a chunk of its own with delta: {}", $"delta = {(Json.Has(choice, "delta") ? Json.Show(choice["delta"]) : "absent")}", StreamView.Frame(chunk));
            }

            if (rule == FinishPlacement.WithLastContent && Json.Str(delta?["content"]) is null)
            {
                return Outcome.Fail(
                    $"choice {index}'s finish chunk carries no content: the finish is on a chunk of its own", view.Exchange,
                    "the finish_reason with the last content delta (content may be \"\" on EOS, spec-facts §5)", $"delta = {Json.Show(delta)}", StreamView.Frame(chunk));
            }
        }

        return Outcome.Pass(rule.ToString());
    }

    private static Outcome FinishOnce(CheckContext ctx, StreamView view)
    {
        foreach (var (index, items, finishAt) in Finishes(view))
        {
            var finishes = items.Where(x => Json.Str(x.Choice["finish_reason"]) is not null).ToList();
            var wrong = items.FirstOrDefault(x => Json.Kind(x.Choice["finish_reason"]) is not (JsonValueKind.Null or JsonValueKind.String));
            if (wrong.Chunk is not null)
            {
                return Outcome.Fail($"choice {index} has a finish_reason that is neither null nor a string", view.Exchange, "finish_reason null until the finish, then a string", $"finish_reason = {Json.Show(wrong.Choice["finish_reason"])}", StreamView.Frame(wrong.Chunk));
            }

            if (finishes.Count != 1)
            {
                return Outcome.Fail(
                    $"choice {index} finishes {finishes.Count} times", view.Exchange, "exactly one chunk with a finish_reason per choice", $"{finishes.Count} finish chunks",
                    StreamView.Frame((finishes.Count > 0 ? finishes[^1] : items[^1]).Chunk));
            }

            if (finishAt != items.Count - 1)
            {
                return Outcome.Fail(
                    $"choice {index} has {items.Count - 1 - finishAt} chunk(s) after its finish", view.Exchange, "nothing for the choice after its finish chunk",
                    $"{items.Count - 1 - finishAt} chunk(s) after it", StreamView.Frame(items[finishAt + 1].Chunk));
            }
        }

        return Outcome.Pass();
    }

    /// <summary>The chunks whose usage is an object.</summary>
    private static List<Chunk> UsageChunks(StreamView view) => [.. view.Chunks.Where(c => Json.Kind(c.Json["usage"]) == JsonValueKind.Object)];

    private static Outcome UsagePlaced(CheckContext ctx, StreamView view, bool requested)
    {
        var placement = ctx.Profile.Chat.Usage;
        var usage = UsageChunks(view);
        ctx.Observe(Family + (requested ? ".usage_chunks_with_include_usage" : ".usage_chunks_without_options"), usage.Count);
        if (!requested && placement == UsagePlacement.SeparateChunkWhenIncluded)
        {
            return usage.Count == 0
                ? Outcome.Pass()
                : Outcome.Fail("a chunk carries usage although stream_options was not sent", view.Exchange, "no usage in any chunk (usage is opt-in, spec-facts §4.4)", $"usage = {Json.Show(usage[0].Json["usage"])}", StreamView.Frame(usage[0]));
        }

        var where = placement == UsagePlacement.FinalChunkAlways
            ? "usage on the final chunk, with the finish_reason, in every stream (spec-facts §13)"
            : "usage once, in a last chunk with choices: [] (spec-facts §4.4)";
        if (usage.Count != 1)
        {
            return Outcome.Fail($"{usage.Count} chunks carry usage", view.Exchange, where, $"{usage.Count} usage chunks", usage.Count > 0 ? StreamView.Frame(usage[^1]) : Exchange.Excerpt(view.Exchange.BodyText, 600));
        }

        var chunk = usage[0];
        if (!ReferenceEquals(chunk, view.Chunks[^1]))
        {
            return Outcome.Fail("the usage chunk is not the last chunk before [DONE]", view.Exchange, where, $"{view.Chunks.Count - 1 - view.Chunks.ToList().IndexOf(chunk)} chunk(s) after it", StreamView.Frame(view.Chunks[^1]));
        }

        if (placement == UsagePlacement.SeparateChunkWhenIncluded && chunk.Json["choices"] is not JsonArray { Count: 0 })
        {
            return Outcome.Fail("the usage chunk's choices is not []", view.Exchange, where, $"choices = {Json.Show(chunk.Json["choices"])}", StreamView.Frame(chunk));
        }

        if (placement == UsagePlacement.FinalChunkAlways && chunk.Choices?.Any(ch => Json.Str(ch?["finish_reason"]) is not null) != true)
        {
            return Outcome.Fail("the usage chunk does not carry the finish_reason", view.Exchange, where, $"choices = {Json.Show(chunk.Json["choices"])}", StreamView.Frame(chunk));
        }

        return Outcome.Pass();
    }

    private static Outcome OtherChunks(CheckContext ctx, StreamView view)
    {
        var nullKey = ctx.Profile.Chat.UsageNullWhenIncluded;
        foreach (var chunk in view.Chunks.Where(c => Json.Kind(c.Json["usage"]) != JsonValueKind.Object))
        {
            var present = Json.Has(chunk.Json, "usage");
            if (present != nullKey)
            {
                return Outcome.Fail(
                    nullKey ? "a chunk without usage does not carry usage: null" : "a chunk without usage carries a usage key", view.Exchange,
                    nullKey ? "\"usage\": null on every other chunk (spec-facts §4.4)" : "no usage key on the other chunks (spec-facts §9 Q12)",
                    present ? $"usage = {Json.Show(chunk.Json["usage"])}" : "usage absent", StreamView.Frame(chunk));
            }
        }

        return Outcome.Pass();
    }

    private static Outcome UsageSums(CheckContext ctx, StreamView view)
    {
        var chunk = UsageChunks(view).LastOrDefault();
        if (chunk is null)
        {
            return Outcome.Fail(
                "nothing to judge: no chunk carries usage although include_usage was requested (chat.stream.usage.when-requested reports that)",
                view.Exchange, "a chunk with a usage object", "no usage in any chunk", Exchange.Excerpt(view.Exchange.BodyText, 600));
        }

        ctx.Observe(Family + ".usage.completion_tokens", Json.Int(chunk.Json["usage"]?["completion_tokens"]));
        return CompletionChecks.SumsExact(chunk.Json["usage"], view.Exchange, StreamView.Frame(chunk));
    }

    private static async Task<Outcome> UsageMatchesNonStream(CheckContext ctx)
    {
        var (answer, stop) = await ChatProbes.GatedReference(ctx);
        if (answer is null)
        {
            return stop!;
        }

        var (reference, body) = answer;

        var (view, streamProblem) = StreamView.From(await ChatProbes.StreamWithUsage(ctx), kind: ChunkKind.Chat);
        if (view is null)
        {
            return streamProblem!;
        }

        var chunk = UsageChunks(view).LastOrDefault();
        var expected = (Prompt: Json.Int(body["usage"]?["prompt_tokens"]), Completion: Json.Int(body["usage"]?["completion_tokens"]));
        if (chunk is null || expected.Prompt is null || expected.Completion is null)
        {
            return Outcome.Fail(
                "nothing to judge: " + (chunk is null ? "no streamed chunk carries usage" : "the non-streamed answer has no integer usage"), chunk is null ? view.Exchange : reference,
                "usage on both answers", chunk is null ? "no usage in any chunk" : $"usage = {Json.Show(body["usage"])}");
        }

        var seen = (Prompt: Json.Int(chunk.Json["usage"]?["prompt_tokens"]), Completion: Json.Int(chunk.Json["usage"]?["completion_tokens"]));
        return seen == expected
            ? Outcome.Pass($"{seen.Prompt} prompt and {seen.Completion} completion tokens either way")
            : Outcome.Fail(
                "the streamed usage differs from the non-streamed usage of the same request", view.Exchange,
                $"prompt_tokens = {expected.Prompt}, completion_tokens = {expected.Completion} (non-streamed)",
                $"prompt_tokens = {Json.Show(chunk.Json["usage"]?["prompt_tokens"])}, completion_tokens = {Json.Show(chunk.Json["usage"]?["completion_tokens"])} (streamed)", StreamView.Frame(chunk));
    }
}
