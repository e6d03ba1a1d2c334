using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// The completions stream (spec-facts §4): the SSE framing shared with chat (<see cref="SseFraming"/>, read from raw bytes
/// with the suite's own parser, §8) under <c>stream.*</c> ids, then completion chunk semantics: identity and chunk keys,
/// finish_reason placement and usage.
/// </summary>
internal static class StreamChecks
{
    /// <summary>The id prefix of these checks, which also prefixes the observations they record.</summary>
    private const string Family = "stream";

    public static IEnumerable<CheckDefinition> All()
    {
        yield return OnUsageStream("stream.content-type", "The stream is served as text/event-stream", "spec-facts §4.1, §8", (ctx, view) => SseFraming.ContentType(ctx, view, Family));
        yield return OnUsageStream("stream.data-only", "Every event carries only `data:` fields (no event:, id:, retry: or others)", "spec-facts §4.1, §8", (_, view) => SseFraming.DataOnly(view));
        yield return OnUsageStream("stream.json-per-event", "Every event before [DONE] is one JSON object", "spec-facts §8", (_, view) => SseFraming.JsonPerEvent(view));
        yield return OnUsageStream("stream.done.single-and-last", "A single [DONE] ends the stream and nothing follows it", "spec-facts §8", (ctx, view) => SseFraming.DoneSingleAndLast(ctx, view, Family));
        yield return OnUsageStream("stream.done.blank-line", "data: [DONE] is followed by its blank line", "spec-facts §8 (warn only)", (_, view) => SseFraming.DoneBlankLine(view, Family));
        yield return new("stream.not-truncated", "The stream reaches [DONE] (a stream without it is truncated)", "spec-facts §8", NotTruncated);
        yield return OnUsageStream("stream.constant-identity", "id, created and model are constant across chunks", "spec-facts §4.2, §9 Q15", ConstantIdentity);
        yield return OnUsageStream("stream.sse-parser-agreement", "System.Net.ServerSentEvents sees the same events as the strict parser", "spec-facts §8; issue 3 SSE", (_, view) => SseFraming.ParserAgreement(view));
        yield return OnUsageStream("stream.chunk-shape", "Every chunk has a string id, integer created and string model; every content chunk has the chunk keys", "spec-facts §4.2", ChunkShape);
        yield return OnUsageStream("stream.usage.null-on-content-chunks", "Content chunks carry `usage: null`", "spec-facts §4.2, §9 Q12", UsageNullOnContent);
        yield return OnUsageStream("stream.finish-reason.null-until-end", "finish_reason is null until a choice's finish chunk", "spec-facts §4.2, §4.3; provider-docs acs-stream", NullUntilEnd);
        yield return new("stream.finish-reason.once-per-choice", "Each choice finishes exactly once", "spec-facts §4.3", OncePerChoice);
        yield return OnUsageStream("stream.finish-reason.on-last-content-chunk", "The finish reason arrives on the choice's last content chunk, with its token", "spec-facts §4.3, §10 item 4; provider-docs acs-stream", OnLastContentChunk);
        yield return OnUsageStream("stream.usage.present-when-requested", "With include_usage, one last chunk has `choices: []` and usage", "spec-facts §4.4", UsagePresent);
        yield return new("stream.usage.absent-when-not-requested", "Without stream_options, no chunk carries usage", "spec-facts §4.4", UsageAbsent);
        yield return new("stream.usage.absent-when-options-empty", "With stream_options {} (include_usage unset), no chunk carries usage", "spec-facts §4.4, §9 Q11, §10 item 6", UsageAbsentWithEmptyOptions);
        yield return new("stream.usage.absent-when-include-usage-false", "With include_usage: false, no chunk carries usage", "spec-facts §4.4, §12.1", UsageAbsentWhenDeclined);
        yield return OnUsageStream("stream.usage.sums-exact", "The usage chunk adds up", "spec-facts §2.2 I2, §4.4", UsageSums);
        yield return OnUsageStream("stream.length-implies-max-tokens", "A streamed \"length\" finish implies completion_tokens = max_tokens", "spec-facts §2.2 I8, §4.4", LengthImpliesMax);
    }

    /// <summary>A check on the include_usage stream (<see cref="Probes.StreamWithUsage"/>), the one most stream checks judge.</summary>
    private static CheckDefinition OnUsageStream(string id, string title, string spec, Func<CheckContext, StreamView, Outcome> evaluate) =>
        new(id, title, spec, async ctx =>
        {
            var (view, problem) = StreamView.From(await Probes.StreamWithUsage(ctx));
            return view is null ? problem! : evaluate(ctx, view);
        });

    private static async Task<Outcome> NotTruncated(CheckContext ctx)
    {
        foreach (var probe in new[] { Probes.StreamWithUsage(ctx), Probes.StreamPlain(ctx) })
        {
            var (view, problem) = StreamView.From(await probe, requireContent: false);
            if (view is null)
            {
                return problem!;
            }

            if (SseFraming.Truncation(ctx, view, Family) is { } truncated)
            {
                return truncated;
            }
        }

        ctx.Observe("stream.truncated", false);
        return Outcome.Pass();
    }

    private static Outcome ConstantIdentity(CheckContext ctx, StreamView view) =>
        // The view has at least one completion chunk (StreamView.From): a short completion sent in a single chunk
        // conforms, there is simply nothing to compare it with, so that case is not applicable rather than a failure.
        SseFraming.ConstantIdentity(view, "stream.chunk-shape", _ => Outcome.NotApplicable("a single completion chunk: nothing to compare (identity can change only across two or more chunks)"));

    private static Outcome ChunkShape(CheckContext ctx, StreamView view)
    {
        // Every chunk, the usage chunk included, names its completion (spec-facts §4.2); constant-identity then compares them.
        if (SseFraming.IdentityProblem(view) is { } identity)
        {
            return identity;
        }

        foreach (var chunk in view.Chunks.Where(c => c.IsContent))
        {
            if (Json.Str(chunk.Json["object"]) != "text_completion")
            {
                return Outcome.Fail("a chunk's object is not \"text_completion\"", view.Exchange, "object \"text_completion\"", $"object {Json.Show(chunk.Json["object"])}", StreamView.Frame(chunk));
            }

            foreach (var choice in chunk.Choices!)
            {
                var missing = ctx.Profile.StreamChoiceKeys.Where(k => !Json.Has(choice, k)).ToList();
                var badTypes = Json.Int(choice?["index"]) is null || Json.Str(choice?["text"]) is null
                    || Json.Kind(choice?["logprobs"]) is not (JsonValueKind.Null or JsonValueKind.Object)
                    || Json.Kind(choice?["finish_reason"]) is not (JsonValueKind.Null or JsonValueKind.String);
                if (missing.Count > 0 || badTypes)
                {
                    return Outcome.Fail(
                        "a content chunk's choice lacks keys or has wrong types", view.Exchange,
                        "choice keys " + string.Join(", ", ctx.Profile.StreamChoiceKeys) + "; integer index, string text, logprobs null|object, finish_reason null|string",
                        missing.Count > 0 ? "missing: " + string.Join(", ", missing) : "wrong types: " + Json.Show(choice),
                        StreamView.Frame(chunk));
                }
            }
        }

        return Outcome.Pass();
    }

    private static Outcome UsageNullOnContent(CheckContext ctx, StreamView view)
    {
        foreach (var chunk in view.Chunks.Where(c => c.IsContent))
        {
            var present = Json.Has(chunk.Json, "usage");
            var isNull = Json.Kind(chunk.Json["usage"]) == JsonValueKind.Null;
            if (!isNull || (ctx.Profile.UsageNullOnContentChunks && !present))
            {
                return Outcome.Fail(
                    "a content chunk does not carry usage: null", view.Exchange,
                    ctx.Profile.UsageNullOnContentChunks ? "\"usage\": null on every content chunk" : "usage null or absent on content chunks",
                    present ? $"usage = {Json.Show(chunk.Json["usage"])}" : "usage absent", StreamView.Frame(chunk));
            }
        }

        return Outcome.Pass();
    }

    private static Outcome NullUntilEnd(CheckContext ctx, StreamView view)
    {
        foreach (var group in view.ByChoice)
        {
            foreach (var (chunk, choice) in group)
            {
                var finish = choice["finish_reason"];
                if (!string.IsNullOrEmpty(Json.Str(finish)))
                {
                    break;
                }

                if (!Json.Has(choice, "finish_reason") || Json.Kind(finish) != JsonValueKind.Null)
                {
                    return Outcome.Fail($"choice {group.Key} has a non-null finish_reason before its finish", view.Exchange, "finish_reason: null", Json.Has(choice, "finish_reason") ? $"finish_reason: {Json.Show(finish)}" : "finish_reason absent", StreamView.Frame(chunk));
                }
            }
        }

        return Outcome.Pass();
    }

    private static async Task<Outcome> OncePerChoice(CheckContext ctx)
    {
        foreach (var probe in new[] { Probes.StreamWithUsage(ctx), Probes.StreamPlain(ctx) })
        {
            var (view, problem) = StreamView.From(await probe);
            if (view is null)
            {
                return problem!;
            }

            var groups = view.ByChoice.ToList();
            if (groups.Count == 0)
            {
                return Outcome.Fail("the stream has no content chunks", view.Exchange, "content chunks", "none");
            }

            foreach (var group in groups)
            {
                var finishes = group.Where(x => !string.IsNullOrEmpty(Json.Str(x.Choice["finish_reason"]))).ToList();
                if (finishes.Count != 1)
                {
                    return Outcome.Fail(
                        $"choice {group.Key} finishes {finishes.Count} times", view.Exchange, "exactly one chunk with a finish_reason per choice", $"{finishes.Count} finish chunks",
                        finishes.Count > 0 ? StreamView.Frame(finishes[^1].Chunk) : StreamView.Frame(group.Last().Chunk));
                }
            }
        }

        return Outcome.Pass();
    }

    private static Outcome OnLastContentChunk(CheckContext ctx, StreamView view)
    {
        foreach (var group in view.ByChoice)
        {
            var items = group.ToList();
            var finishAt = items.FindIndex(x => !string.IsNullOrEmpty(Json.Str(x.Choice["finish_reason"])));
            if (finishAt < 0)
            {
                return Outcome.Fail(
                    $"nothing to judge: choice {group.Key} never finishes, so where its finish arrives is unknown (stream.finish-reason.once-per-choice reports that)",
                    view.Exchange, "a chunk with the choice's finish_reason", "no finish_reason on any chunk", StreamView.Frame(items[^1].Chunk));
            }

            var finish = items[finishAt];
            if (finishAt != items.Count - 1)
            {
                return Outcome.Fail($"choice {group.Key} sends content after its finish chunk", view.Exchange, "the finish_reason on the choice's last content chunk", $"{items.Count - 1 - finishAt} chunk(s) after it", StreamView.Frame(items[finishAt + 1].Chunk));
            }

            var text = Json.Str(finish.Choice["text"]);
            ctx.Observe("stream.finish_chunk_text_empty", string.IsNullOrEmpty(text));
            if (!ctx.Profile.FinishTextMayBeEmpty && string.IsNullOrEmpty(text))
            {
                return Outcome.Fail($"choice {group.Key} finishes on a chunk with empty text", view.Exchange, "the finish chunk carries the last token's non-empty text", $"text = {Json.Show(finish.Choice["text"])}", StreamView.Frame(finish.Chunk));
            }
        }

        return Outcome.Pass();
    }

    private static Outcome UsagePresent(CheckContext ctx, StreamView view)
    {
        var usageChunks = view.Chunks.Where(c => Json.Kind(c.Json["usage"]) == JsonValueKind.Object).ToList();
        ctx.Observe("stream.usage_chunk_present", usageChunks.Count > 0);
        if (usageChunks.Count != 1)
        {
            return Outcome.Fail($"{usageChunks.Count} chunks carry usage", view.Exchange, "exactly one usage chunk", $"{usageChunks.Count}", usageChunks.Count > 0 ? StreamView.Frame(usageChunks[^1]) : null);
        }

        var chunk = usageChunks[0];
        if (chunk.Json["choices"] is not JsonArray { Count: 0 })
        {
            return Outcome.Fail("the usage chunk's choices is not []", view.Exchange, "\"choices\": []", $"choices = {Json.Show(chunk.Json["choices"])}", StreamView.Frame(chunk));
        }

        return ReferenceEquals(chunk, view.Chunks[^1])
            ? Outcome.Pass()
            : Outcome.Fail("the usage chunk is not the last chunk before [DONE]", view.Exchange, "usage chunk last", $"{view.Chunks.Count - 1 - view.Chunks.ToList().IndexOf(chunk)} chunk(s) after it", StreamView.Frame(view.Chunks[^1]));
    }

    private static Task<Outcome> UsageAbsent(CheckContext ctx) =>
        NoUsageOn(ctx, Probes.StreamPlain, "stream.usage_without_stream_options", "stream_options was not sent");

    // Recorded either way, so `diff` shows an upgrade that flips vLLM's include_usage default (§9 Q11).
    private static Task<Outcome> UsageAbsentWithEmptyOptions(CheckContext ctx) =>
        NoUsageOn(ctx, Probes.StreamEmptyOptions, "stream.usage_with_empty_stream_options", "stream_options did not set include_usage");

    // Recorded either way: llama.cpp sends usage on its finish chunk even when it was declined (spec-facts §12.1).
    private static Task<Outcome> UsageAbsentWhenDeclined(CheckContext ctx) =>
        NoUsageOn(ctx, Probes.StreamIncludeUsageFalse, "stream.usage_with_include_usage_false", "include_usage was false");

    /// <summary>No chunk of <paramref name="probe"/>'s stream may carry usage; the finding is also recorded as an observation.</summary>
    private static async Task<Outcome> NoUsageOn(CheckContext ctx, Func<CheckContext, Task<Exchange>> probe, string observation, string because)
    {
        var (view, problem) = StreamView.From(await probe(ctx));
        if (view is null)
        {
            return problem!;
        }

        var chunk = view.Chunks.FirstOrDefault(c => Json.Kind(c.Json["usage"]) != JsonValueKind.Null);
        ctx.Observe(observation, chunk is not null);
        return chunk is null
            ? Outcome.Pass()
            : Outcome.Fail($"a chunk carries usage although {because}", view.Exchange, "no usage in any chunk", $"usage = {Json.Show(chunk.Json["usage"])}", StreamView.Frame(chunk));
    }

    private static Outcome UsageSums(CheckContext ctx, StreamView view)
    {
        var chunk = view.Chunks.LastOrDefault(c => Json.Kind(c.Json["usage"]) == JsonValueKind.Object);
        if (chunk is null)
        {
            return Outcome.Fail(
                "nothing to judge: no chunk carries usage although include_usage was requested (stream.usage.present-when-requested reports that)",
                view.Exchange, "a chunk with a usage object", "no usage in any chunk", Exchange.Excerpt(view.Exchange.BodyText, 600));
        }

        ctx.Observe("stream.usage.completion_tokens", Json.Int(chunk.Json["usage"]?["completion_tokens"]));
        return CompletionChecks.SumsExact(chunk.Json["usage"], view.Exchange, StreamView.Frame(chunk));
    }

    private static Outcome LengthImpliesMax(CheckContext ctx, StreamView view)
    {
        var usage = view.Chunks.LastOrDefault(c => Json.Kind(c.Json["usage"]) == JsonValueKind.Object);
        var finish = view.ByChoice.FirstOrDefault(g => g.Key == 0)?.Select(x => Json.Str(x.Choice["finish_reason"])).LastOrDefault(f => !string.IsNullOrEmpty(f));
        if (finish is null)
        {
            return Outcome.Fail("nothing to judge: choice 0 has no finish_reason", view.Exchange, "a finish_reason on choice 0", "none", Exchange.Excerpt(view.Exchange.BodyText, 600));
        }

        if (finish != "length")
        {
            return Outcome.Pass($"finish_reason {Json.Quote(finish)}; the rule binds only on \"length\"");
        }

        if (usage is null)
        {
            return Outcome.Fail(
                "nothing to judge: finish_reason \"length\" but no chunk carries usage", view.Exchange, $"usage.completion_tokens = {Probes.GreedyMaxTokens}", "no usage in any chunk",
                Exchange.Excerpt(view.Exchange.BodyText, 600));
        }

        var completion = Json.Int(usage.Json["usage"]?["completion_tokens"]);
        return completion == Probes.GreedyMaxTokens
            ? Outcome.Pass()
            : Outcome.Fail("finish_reason \"length\" but completion_tokens differs from max_tokens", view.Exchange, $"completion_tokens = {Probes.GreedyMaxTokens}", $"completion_tokens = {Json.Show(usage.Json["usage"]?["completion_tokens"])}", StreamView.Frame(usage));
    }
}
