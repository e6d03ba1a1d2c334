using System.Net.ServerSentEvents;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conformance.Http;
using Conformance.Sse;

namespace Conformance.Checks;

/// <summary>
/// The SSE framing rules every OpenAI-style stream shares, whatever its chunks mean (spec-facts §4.1, §8): media type,
/// data-only events, one JSON object per event, a single terminated <c>[DONE]</c>, agreement with a standard parser, and
/// the identity every chunk carries. The completions (<see cref="StreamChecks"/>) and chat (<see cref="ChatStreamChecks"/>)
/// checks register them under their own ids. <c>family</c> is the id prefix of those checks (<c>stream</c>, <c>chat.stream</c>):
/// it names the sibling check a message defers to and prefixes the observations recorded.
/// </summary>
internal static partial class SseFraming
{
    private static readonly string[] IdentityKeys = ["id", "created", "model"];

    public static Outcome ContentType(CheckContext ctx, StreamView view, string family)
    {
        var mediaType = view.Exchange.ContentType?.Split(';')[0].Trim();
        ctx.Observe(family + ".content_type", view.Exchange.ContentType);
        return string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase)
            ? Outcome.Pass(view.Exchange.ContentType!)
            : Outcome.Fail("the stream is not served as text/event-stream", view.Exchange, "Content-Type: text/event-stream", $"Content-Type: {view.Exchange.ContentType ?? "absent"}");
    }

    public static Outcome DataOnly(StreamView view)
    {
        var bad = view.Events.FirstOrDefault(e => e.FieldNames.Any(f => f != "data"));
        if (bad is not null)
        {
            return Outcome.Fail("an event carries a field other than data", view.Exchange, "only data: lines", "fields: " + string.Join(", ", bad.FieldNames.Distinct()), $"event #{bad.Index}:\n{bad.Raw}");
        }

        // Blocks without data fire no event (WHATWG rule 7), so only the parser's record of them shows an `error:` line
        // (llama.cpp's legacy mid-stream error), an `event:`-only block or a `retry:` line (spec-facts §8).
        var silent = view.Exchange.Sse?.EmptyBlockFields.Where(f => f != "data").Distinct(StringComparer.Ordinal).ToList() ?? [];
        return silent.Count == 0
            ? Outcome.Pass()
            : Outcome.Fail(
                "a block without data carries a field other than data", view.Exchange, "only data: lines",
                "fields of blocks that fired no event: " + string.Join(", ", silent), Exchange.Excerpt(view.Exchange.BodyText, 800));
    }

    public static Outcome JsonPerEvent(StreamView view)
    {
        foreach (var ev in view.Events)
        {
            if (ev.Data == StreamView.Done)
            {
                break;
            }

            if (StreamView.TryObject(ev.Data) is null)
            {
                return Outcome.Fail("an event's data is not a JSON object", view.Exchange, "one JSON object per data payload", Json.Quote(Exchange.Excerpt(ev.Data, 200)), $"event #{ev.Index}:\n{ev.Raw}");
            }
        }

        return Outcome.Pass($"{view.Chunks.Count} chunks");
    }

    public static Outcome DoneSingleAndLast(CheckContext ctx, StreamView view, string family)
    {
        ctx.Observe(family + ".done_count", view.DoneCount);
        if (view.DoneUnterminated)
        {
            // The [DONE] is the last bytes of the body, so nothing follows it; done.blank-line warns about the missing blank line.
            return Outcome.Pass($"a single [DONE] ends the stream (without its blank line: {family}.done.blank-line reports that)");
        }

        if (view.DoneCount == 0)
        {
            return NoDone(view, family);
        }

        var first = view.Events.First(e => e.Data == StreamView.Done);
        var after = view.Events.Where(e => e.Index > first.Index).ToList();
        var tail = view.Exchange.Sse?.DiscardedTail;
        if (after.Count > 0)
        {
            return Outcome.Fail($"{after.Count} event(s) follow [DONE]", view.Exchange, "nothing after data: [DONE]", $"{after.Count} more event(s)", $"after [DONE]:\n{Exchange.Excerpt(string.Concat(after.Select(e => e.Raw + "\n")), 600)}");
        }

        // Field blocks after [DONE] that fire no event (error:, event:, retry:) are still bytes that are not comments.
        if (AfterDone(view.Exchange.BodyText) is { } rest && SseReader.ParseAll(System.Text.Encoding.UTF8.GetBytes(rest)).EmptyBlockFields is { Count: > 0 } fields)
        {
            return Outcome.Fail(
                "field lines follow [DONE]", view.Exchange, "nothing after data: [DONE] but comments",
                "fields after [DONE]: " + string.Join(", ", fields.Distinct(StringComparer.Ordinal)), $"after [DONE]:\n{Exchange.Excerpt(rest, 600)}");
        }

        if (!string.IsNullOrWhiteSpace(tail) && !tail.Split('\n').All(l => l.Length == 0 || l.StartsWith(':')))
        {
            return Outcome.Fail("bytes that are not comments follow [DONE]", view.Exchange, "nothing after data: [DONE]", "an unterminated event", $"after [DONE]:\n{Exchange.Excerpt(tail, 600)}");
        }

        return Outcome.Pass();
    }

    /// <summary>The body text after the first <c>data: [DONE]</c> line and its terminator, or null when there is none.</summary>
    private static string? AfterDone(string body)
    {
        var match = DoneLine().Match(body);
        return match.Success ? body[(match.Index + match.Length)..] : null;
    }

    [GeneratedRegex(@"(?:^|\r|\n)data: ?\[DONE\](?:\r\n|\r|\n)", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking)]
    private static partial Regex DoneLine();

    public static Outcome DoneBlankLine(StreamView view, string family) =>
        view.DoneUnterminated
            ? Outcome.Fail(
                "[DONE] is not followed by a blank line, so a WHATWG parser drops it", view.Exchange, "data: [DONE] then an empty line",
                "the stream ends right after data: [DONE]", $"unterminated tail: {Json.Quote(view.Exchange.Sse?.DiscardedTail)}")
            : view.DoneCount > 0 ? Outcome.Pass() : NoDone(view, family);

    /// <summary>A [DONE] rule on a stream without any [DONE]: nothing to judge (stream.not-truncated names the truncation).</summary>
    private static Outcome NoDone(StreamView view, string family) =>
        Outcome.Fail(
            $"nothing to judge: the stream has no [DONE] ({family}.not-truncated reports the truncation)", view.Exchange, "data: [DONE] at the end of the stream",
            $"no [DONE] in {view.Events.Count} event(s)", Exchange.Excerpt(view.Exchange.BodyText, 600));

    public static Outcome ParserAgreement(StreamView view)
    {
        // A standard client: System.Net.ServerSentEvents over the very bytes the strict parser read.
        var standard = new List<(string Type, string Data)>();
        foreach (var item in SseParser.Create(new MemoryStream(view.Exchange.Body)).Enumerate())
        {
            standard.Add((item.EventType, item.Data));
        }

        var strict = view.Events.Select(e => (Type: e.EventType, e.Data)).ToList();
        for (var i = 0; i < Math.Max(standard.Count, strict.Count); i++)
        {
            var mine = i < strict.Count ? strict[i] : default;
            var theirs = i < standard.Count ? standard[i] : default;
            if (mine != theirs)
            {
                return Outcome.Fail(
                    $"event #{i} differs between the strict parser and SseParser",
                    view.Exchange,
                    $"strict: type {Json.Quote(mine.Type)}, data {Json.Quote(Exchange.Excerpt(mine.Data ?? "(none)", 200))}",
                    $"SseParser: type {Json.Quote(theirs.Type)}, data {Json.Quote(Exchange.Excerpt(theirs.Data ?? "(none)", 200))}",
                    Exchange.Excerpt(view.Exchange.BodyText, 600));
            }
        }

        return Outcome.Pass($"{strict.Count} events agree");
    }

    /// <summary>
    /// A failure when the stream did not reach <c>[DONE]</c> (truncated) or carried nothing of its kind before it; null
    /// when it is whole. Records <c>{family}.truncated</c> only for a truncation.
    /// </summary>
    public static Outcome? Truncation(CheckContext ctx, StreamView view, string family)
    {
        var ex = view.Exchange;
        if (ex.Failure != TransportFailure.None)
        {
            return Outcome.FromTransport(ex);
        }

        if (view.DoneCount == 0 && !view.DoneUnterminated)
        {
            var last = view.Events.Count > 0 ? view.Events[^1].Raw : "(no events)";
            ctx.Observe(family + ".truncated", true);
            return Outcome.Fail(
                $"the stream ended after {view.Events.Count} event(s) and {ex.Sse!.BytesRead} bytes without [DONE] (truncated)",
                ex, "data: [DONE] before the connection closes", "end of body without [DONE]", $"last event:\n{last}\nunterminated tail: {Json.Quote(ex.Sse.DiscardedTail)}");
        }

        // A [DONE] alone proves nothing about truncation: the completion it should end is missing.
        return view.NoContent();
    }

    /// <summary>
    /// id, created and model are constant across the chunks that carry them. <paramref name="single"/> judges a stream of
    /// one chunk: a completion may conform in one chunk (not applicable), a chat stream cannot (its role chunk comes first).
    /// </summary>
    public static Outcome ConstantIdentity(StreamView view, string shapeCheck, Func<StreamView, Outcome> single)
    {
        // Constancy needs a key to compare (null against null is nothing to judge) and two chunks.
        var judged = IdentityKeys.Where(key => view.Chunks.Any(c => c.Json[key] is not null)).ToList();
        if (judged.Count == 0)
        {
            return Outcome.Fail(
                $"nothing to judge: none of {view.Chunks.Count} chunks carries id, created or model ({shapeCheck} reports the missing keys)",
                view.Exchange, "id, created and model on every chunk", "none of them on any chunk", StreamView.Frame(view.Chunks[0]));
        }

        if (view.Chunks.Count < 2)
        {
            return single(view);
        }

        var first = view.Chunks[0];
        foreach (var chunk in view.Chunks)
        {
            foreach (var key in judged)
            {
                if (!JsonNode.DeepEquals(first.Json[key], chunk.Json[key]))
                {
                    return Outcome.Fail($"{key} changes within the stream", view.Exchange, $"{key} = {Json.Show(first.Json[key])} throughout", $"{key} = {Json.Show(chunk.Json[key])}", StreamView.Frame(chunk));
                }
            }
        }

        var unjudged = IdentityKeys.Except(judged).ToList();
        return Outcome.Pass(
            $"{string.Join(", ", judged)} constant over {view.Chunks.Count} chunks"
            + (unjudged.Count > 0 ? $"; {string.Join(", ", unjudged)} on no chunk, not judged ({shapeCheck} reports that)" : string.Empty));
    }

    /// <summary>Every chunk, the usage chunk included, names its completion: a string id, an integer created, a string model (spec-facts §4.2).</summary>
    public static Outcome? IdentityProblem(StreamView view)
    {
        foreach (var chunk in view.Chunks)
        {
            var wrong = new List<string>();
            if (Json.Str(chunk.Json["id"]) is null)
            {
                wrong.Add($"id = {(Json.Has(chunk.Json, "id") ? Json.Show(chunk.Json["id"]) : "absent")}");
            }

            if (Json.Int(chunk.Json["created"]) is null)
            {
                wrong.Add($"created = {(Json.Has(chunk.Json, "created") ? Json.Show(chunk.Json["created"]) : "absent")}");
            }

            if (Json.Str(chunk.Json["model"]) is null)
            {
                wrong.Add($"model = {(Json.Has(chunk.Json, "model") ? Json.Show(chunk.Json["model"]) : "absent")}");
            }

            if (wrong.Count > 0)
            {
                return Outcome.Fail(
                    $"a chunk lacks its identity ({string.Join(", ", wrong)})", view.Exchange,
                    "a string id, an integer created and a string model on every chunk, the usage chunk included", string.Join(", ", wrong), StreamView.Frame(chunk));
            }
        }

        return null;
    }
}
