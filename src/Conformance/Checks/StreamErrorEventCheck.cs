using System.Text.Json.Nodes;
using Conformance.Http;
using Conformance.Sse;

namespace Conformance.Checks;

/// <summary>
/// A mid-stream error, judged when a stream of the run happens to carry one (it never provokes one): after a 200 the
/// server can only say it failed with <c>data: {"error": {...}}</c>, and clients read it only if it has the OpenAI
/// error shape and is followed by <c>data: [DONE]</c> and nothing else (spec-facts §4.6, §11 item 5).
/// </summary>
internal static class StreamErrorEventCheck
{
    public static CheckDefinition Definition() =>
        new("errors.stream-error-event", "A mid-stream error event, when one is seen, has the OpenAI error shape and is followed by [DONE] alone", "spec-facts §4.6, §6.1, §11 item 5",
            Evaluate, Aggregate: true, Prepare: Probes.StreamWithUsage);

    private static async Task<Outcome> Evaluate(CheckContext ctx)
    {
        // The shared stream probe, so the check has a stream to look at even when it runs alone; in a full run it is free.
        var own = await Probes.StreamWithUsage(ctx);
        var streams = ctx.Client.Log.Where(e => e.Sse is not null).ToList();
        var seen = 0;
        foreach (var exchange in streams)
        {
            var events = exchange.Sse!.Events;
            // Up to the first [DONE]: what follows it is stream.done.single-and-last's to report.
            for (var i = 0; i < events.Count && events[i].Data != StreamView.Done; i++)
            {
                if (StreamView.TryObject(events[i].Data) is not { } obj || new Chunk(events[i], obj) is not { IsError: true } chunk)
                {
                    continue;
                }

                seen++;
                if (ErrorChecks.Problem(ctx.Profile, obj) is { } problem)
                {
                    return Outcome.Fail(
                        $"a mid-stream error event breaks the error shape: {problem}", exchange, "data: " + ErrorChecks.ExpectedText(ctx.Profile), problem, StreamView.Frame(chunk));
                }

                if (NotDoneAfter(exchange, events, i) is { } after)
                {
                    return Outcome.Fail(
                        $"a mid-stream error event is not followed by [DONE] alone: {after}", exchange,
                        "data: {\"error\": …} then data: [DONE] and nothing after it", after, StreamView.Frame(chunk) + "\n" + Tail(exchange, events, i));
                }

                break; // the first error event ends the stream; a second one is judged as what follows the first
            }
        }

        ctx.Observe("errors.stream_error_events", seen);
        if (seen > 0)
        {
            return Outcome.Pass($"{seen} mid-stream error event(s), each OpenAI-shaped and followed by [DONE] alone");
        }

        // Nothing to judge: no pass without evidence. A stream the suite could not read at all is its own failure.
        return own.Status is null && own.Failure != TransportFailure.None
            ? Outcome.FromTransport(own)
            : Outcome.NotApplicable($"no mid-stream error event was seen in this run ({streams.Count} stream(s) read), so there is none to judge");
    }

    /// <summary>Why what follows error event <paramref name="at"/> is not a single [DONE] ending the stream; null when it is.</summary>
    private static string? NotDoneAfter(Exchange exchange, IReadOnlyList<SseEvent> events, int at)
    {
        var after = events.Skip(at + 1).ToList();
        var tail = exchange.Sse!.DiscardedTail;
        var tailIsDone = tail is not null && SseReader.ParseAll(System.Text.Encoding.UTF8.GetBytes(tail + "\n")).Events is [{ Data: StreamView.Done }];
        if (after.Count == 0)
        {
            if (tailIsDone)
            {
                return null; // [DONE] without its blank line: stream.done.blank-line warns about that
            }

            return exchange.Failure != TransportFailure.None
                ? $"the stream broke off after it ({exchange.Failure}: {exchange.FailureDetail})"
                : "the stream ended right after it, without [DONE]";
        }

        if (after[0].Data != StreamView.Done)
        {
            return $"event #{after[0].Index} after it is {Json.Quote(Exchange.Excerpt(after[0].Data, 120))}, not [DONE]";
        }

        if (after.Count > 1)
        {
            return $"{after.Count - 1} event(s) follow its [DONE]";
        }

        return !string.IsNullOrWhiteSpace(tail) && !tail.Split('\n').All(l => l.Length == 0 || l.StartsWith(':'))
            ? "bytes that are not comments follow its [DONE]"
            : null;
    }

    private static string Tail(Exchange exchange, IReadOnlyList<SseEvent> events, int at)
    {
        var rest = string.Concat(events.Skip(at + 1).Select(e => e.Raw + "\n")) + exchange.Sse!.DiscardedTail;
        return "after it:\n" + (rest.Length == 0 ? "(nothing)" : Exchange.Excerpt(rest, 400));
    }
}
