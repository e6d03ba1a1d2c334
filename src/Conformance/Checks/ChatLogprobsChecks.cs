using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// Chat logprobs (spec-facts §3.3, OAS ChatCompletionTokenLogprob): <c>{content: [{token, logprob, bytes, top_logprobs}],
/// refusal}</c>, non-streamed and per streamed chunk, requested with <c>logprobs: true, top_logprobs: k</c>.
/// </summary>
internal static class ChatLogprobsChecks
{
    private const string Shape = "{content: [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}]}";
    private const string ShapeId = "chat.logprobs.shape";

    public static IEnumerable<CheckDefinition> All()
    {
        yield return Over(ShapeId, "Chat logprobs, streamed and not, have the content-entry shape (and refusal as the profile says)", "spec-facts §3.3", (_, _) => null);
        yield return Over("chat.logprobs.values-non-positive", "Every chat logprob is <= 0", "spec-facts §3.3, §3.1 L2", NonPositive);
        yield return Over("chat.logprobs.bytes-match-token", "bytes is the UTF-8 of the token", "spec-facts §3.3", BytesMatch, BytesJudged);
        yield return Over("chat.logprobs.top-at-most-k", "Each top_logprobs list has at most top_logprobs entries", "spec-facts §3.3", TopAtMostK);
        yield return Over("chat.logprobs.top-sorted", "Each top_logprobs list is sorted by logprob, highest first", "spec-facts §3.3 (greedy: the sampled token is the best)", TopSorted, OrderJudged);
    }

    /// <summary>One logprobs object to judge and where it came from.</summary>
    private sealed record Source(string Label, Exchange Exchange, JsonNode? Logprobs, string Excerpt);

    /// <summary>One token entry, a content entry or one of its top_logprobs, with where it sits.</summary>
    private sealed record Entry(string Path, JsonNode Node);

    /// <summary>
    /// What a rule needs beyond the shape to have judged anything: how many items of a source it judged, and what to
    /// say when no source gave it one (a rule over entries that are all null or too short passes on nothing).
    /// </summary>
    private sealed record Judged(Func<Source, int> Count, string Missing, string Expected);

    /// <summary>bytes-match-token judges the entries whose bytes is an array and whose token is whole UTF-8.</summary>
    private static readonly Judged BytesJudged = new(
        source => AllEntries(source).Count(ComparableBytes),
        "every bytes is null (or belongs to a partial UTF-8 token), so no bytes could be compared with its token",
        "at least one token entry with bytes = the UTF-8 of its token");

    /// <summary>top-sorted judges the lists with two entries or more: a list of one is sorted whatever its server does.</summary>
    private static readonly Judged OrderJudged = new(
        source => Entries(source).Count(e => e.Node["top_logprobs"] is JsonArray { Count: > 1 }),
        $"no top_logprobs list has two entries or more although top_logprobs = {ChatProbes.TopLogprobs} was requested, so no order could be judged",
        $"top_logprobs lists of {ChatProbes.TopLogprobs} entries");

    private static CheckDefinition Over(string id, string title, string spec, Func<CheckContext, Source, (string Expected, string Seen)?> rule, Judged? judged = null) =>
        new(id, title, spec, async ctx =>
        {
            if (await ctx.ChatUnavailable() is { } na)
            {
                return na;
            }

            var (sources, problem, streamProblem) = await Sources(ctx);
            if (problem is not null)
            {
                return problem;
            }

            // A stream that failed is chat.logprobs.shape's to report; the other rules judge what the non-streamed answer gave.
            if (streamProblem is not null && id == ShapeId)
            {
                return streamProblem;
            }

            foreach (var source in sources)
            {
                // Every rule is judged only on the documented shape: a rule over entries that are absent passes on nothing.
                if (ShapeProblem(ctx, source.Logprobs) is { } shape)
                {
                    return Outcome.Fail($"{source.Label}: {shape}", source.Exchange, $"a logprobs object {Shape}" + (ctx.Profile.Chat.LogprobsRefusalKey ? " with a refusal key" : string.Empty), shape, source.Excerpt);
                }

                if (rule(ctx, source) is { } broken)
                {
                    return Outcome.Fail($"{source.Label}: {broken.Seen}", source.Exchange, broken.Expected, broken.Seen, source.Excerpt);
                }
            }

            if (judged is not null && sources.Sum(judged.Count) == 0)
            {
                return Outcome.Fail($"nothing to judge: {judged.Missing}", sources[0].Exchange, judged.Expected, judged.Missing, sources[0].Excerpt);
            }

            // top_logprobs lists that are all empty leave the top-k rules nothing to judge.
            var tops = sources.Sum(s => Entries(s).Count(e => e.Node["top_logprobs"] is JsonArray { Count: > 0 }));
            if (tops == 0)
            {
                return Outcome.Fail($"nothing to judge: no content entry has a non-empty top_logprobs although top_logprobs = {ChatProbes.TopLogprobs} was requested", sources[0].Exchange, $"top_logprobs lists of 1..{ChatProbes.TopLogprobs} entries", "every top_logprobs list empty", sources[0].Excerpt);
            }

            return Outcome.Pass(
                $"{sources.Count} logprobs objects ({sources.Count(s => s.Label.StartsWith("streamed", StringComparison.Ordinal))} streamed)"
                + (streamProblem is null ? string.Empty : $"; the stream was not judged ({streamProblem.Message}; {ShapeId} reports that)"));
        });

    /// <summary>
    /// The non-streamed logprobs and every streamed content chunk's; a stream that failed is returned as its problem. A streamed chunk with content but without logprobs is
    /// a source too (its shape problem names it); the role and finish chunks carry no token, so they are not.
    /// </summary>
    private static async Task<(List<Source> Sources, Outcome? Problem, Outcome? StreamProblem)> Sources(CheckContext ctx)
    {
        var ex = await ChatProbes.Logprobs(ctx);
        var (body, problem) = CompletionChecks.Success(ex);
        if (body is null)
        {
            return ([], problem, null);
        }

        var logprobs = Probes.FirstChoice(body)?["logprobs"];
        List<Source> sources = [new("non-streamed", ex, logprobs, Exchange.Excerpt(Json.Show(logprobs), 800))];
        var (view, streamProblem) = StreamView.From(await ChatProbes.LogprobsStream(ctx), kind: ChunkKind.Chat);
        if (view is null)
        {
            return (sources, null, streamProblem);
        }

        foreach (var (chunk, choice) in view.ByChoice.SelectMany(g => g))
        {
            if (!string.IsNullOrEmpty(Json.Str(choice["delta"]?["content"])))
            {
                sources.Add(new($"streamed chunk #{chunk.Event.Index}", view.Exchange, choice["logprobs"], StreamView.Frame(chunk)));
            }
        }

        return (sources, null, null);
    }

    /// <summary>Why the object is not chat logprobs, or null.</summary>
    private static string? ShapeProblem(CheckContext ctx, JsonNode? logprobs)
    {
        if (logprobs is not JsonObject obj)
        {
            return logprobs is null ? "logprobs is null or absent although logprobs: true was requested" : $"logprobs is {Exchange.Excerpt(Json.Show(logprobs), 80)}, not an object";
        }

        if (obj["content"] is not JsonArray { Count: > 0 } content)
        {
            return obj.ContainsKey("tokens") && !obj.ContainsKey("content")
                ? "logprobs has the legacy completions shape {tokens, token_logprobs, ...}"
                : $"logprobs.content is {(obj.ContainsKey("content") ? Exchange.Excerpt(Json.Show(obj["content"]), 80) : "absent")}, not a non-empty array";
        }

        if (ctx.Profile.Chat.LogprobsRefusalKey && !obj.ContainsKey("refusal"))
        {
            return "logprobs lacks the \"refusal\" key";
        }

        for (var i = 0; i < content.Count; i++)
        {
            if (EntryProblem(content[i], $"content[{i}]", top: false) is { } entry)
            {
                return entry;
            }
        }

        return null;
    }

    private static string? EntryProblem(JsonNode? entry, string path, bool top)
    {
        if (Json.Str(entry?["token"]) is null || Json.Number(entry?["logprob"]) is null)
        {
            return $"{path} lacks a string token or a numeric logprob: {Exchange.Excerpt(Json.Show(entry), 120)}";
        }

        if (!Json.Has(entry, "bytes") || (entry!["bytes"] is not null && (entry["bytes"] is not JsonArray bytes || bytes.Any(b => Json.Int(b) is not (>= 0 and <= 255)))))
        {
            return $"{path}.bytes is {(Json.Has(entry, "bytes") ? Exchange.Excerpt(Json.Show(entry!["bytes"]), 80) : "absent")}, not null or an array of bytes";
        }

        if (top)
        {
            return null;
        }

        if (entry["top_logprobs"] is not JsonArray tops)
        {
            return $"{path}.top_logprobs is {(Json.Has(entry, "top_logprobs") ? Json.Show(entry["top_logprobs"]) : "absent")}, not an array";
        }

        for (var j = 0; j < tops.Count; j++)
        {
            if (EntryProblem(tops[j], $"{path}.top_logprobs[{j}]", top: true) is { } problem)
            {
                return problem;
            }
        }

        return null;
    }

    /// <summary>Every content entry of a source that passed the shape rule.</summary>
    private static IEnumerable<Entry> Entries(Source source) =>
        (source.Logprobs?["content"] as JsonArray ?? []).Select((e, i) => new Entry($"content[{i}]", e!));

    /// <summary>Every content entry and every top_logprobs entry under it.</summary>
    private static IEnumerable<Entry> AllEntries(Source source) =>
        Entries(source).SelectMany(e => (e.Node["top_logprobs"] as JsonArray ?? []).Select((t, j) => new Entry($"{e.Path}.top_logprobs[{j}]", t!)).Prepend(e));

    private static (string, string)? NonPositive(CheckContext ctx, Source source)
    {
        var bad = AllEntries(source).FirstOrDefault(e => Json.Number(e.Node["logprob"]) > 0);
        return bad is null ? null : ("every logprob <= 0", $"{bad.Path}.logprob = {Json.Show(bad.Node["logprob"])}");
    }

    private static (string, string)? BytesMatch(CheckContext ctx, Source source)
    {
        foreach (var e in AllEntries(source).Where(ComparableBytes))
        {
            var token = Json.Str(e.Node["token"])!;
            var bytes = (JsonArray)e.Node["bytes"]!;
            var expected = Encoding.UTF8.GetBytes(token).Select(b => (long)b);
            if (!bytes.Select(b => Json.Int(b) ?? -1).SequenceEqual(expected))
            {
                return ($"{e.Path}.bytes = the UTF-8 of {Json.Quote(token)}: [{string.Join(",", Encoding.UTF8.GetBytes(token))}]", $"{e.Path}.bytes = {Json.Show(bytes)} for token {Json.Quote(token)}");
            }
        }

        return null;
    }

    /// <summary>
    /// An entry whose bytes can be compared with its token: bytes is an array (null is allowed, spec-facts §3.3) and the
    /// token is whole; one that decodes to U+FFFD stands for a partial UTF-8 sequence, whose bytes are the raw ones.
    /// </summary>
    private static bool ComparableBytes(Entry e) =>
        e.Node["bytes"] is JsonArray && Json.Str(e.Node["token"]) is { } token && !token.Contains('\uFFFD', StringComparison.Ordinal);

    private static (string, string)? TopAtMostK(CheckContext ctx, Source source)
    {
        var bad = Entries(source).FirstOrDefault(e => (e.Node["top_logprobs"] as JsonArray)?.Count > ChatProbes.TopLogprobs);
        return bad is null ? null : ($"at most {ChatProbes.TopLogprobs} top_logprobs entries (top_logprobs = {ChatProbes.TopLogprobs})", $"{bad.Path}.top_logprobs has {(bad.Node["top_logprobs"] as JsonArray)!.Count} entries");
    }

    private static (string, string)? TopSorted(CheckContext ctx, Source source)
    {
        foreach (var e in Entries(source))
        {
            var values = (e.Node["top_logprobs"] as JsonArray ?? []).Select(t => Json.Number(t?["logprob"]) ?? double.NaN).ToList();
            for (var j = 1; j < values.Count; j++)
            {
                if (!(values[j] <= values[j - 1]))
                {
                    return ("top_logprobs sorted by logprob, highest first", $"{e.Path}.top_logprobs is not sorted: {string.Join(", ", values.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}");
                }
            }
        }

        return null;
    }
}
