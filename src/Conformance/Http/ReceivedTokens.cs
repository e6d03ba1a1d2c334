using System.Text.Json.Nodes;

namespace Conformance.Http;

/// <summary>
/// What an exchange cost the budget: the tokens the endpoint actually sent back, not what the request might have cost.
/// A request that got no answer (refused, reset, timed out before the status line) or a 4xx/5xx generated nothing
/// billable and costs 0; a stream cut or abandoned part-way costs what arrived before the cut.
/// </summary>
internal static class ReceivedTokens
{
    /// <summary>Counts the tokens received. Total: it never throws, whatever the body holds.</summary>
    /// <remarks>
    /// In order: the last <c>usage.total_tokens</c> the endpoint reported; else, for a stream, one token per choice
    /// with non-empty text in each event (servers send one chunk per token, spec-facts §12.1); else, for a body, the
    /// logprobs token count, or <c>ceil(characters / 4)</c> of the choices' text (a usual English tokenizer ratio).
    /// A 2xx body (or stream event) that cannot be read as JSON (not JSON, a duplicate key) is charged at least the
    /// request's reservation: what it cost cannot be known, and the budget must err on the side of the payer.
    /// </remarks>
    public static long Count(Exchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        if (exchange.Status is not (>= 200 and < 300))
        {
            return 0;
        }

        try
        {
            return exchange.Sse is { } sse ? CountStream(sse.Events, exchange.Spec.TokenEstimate) : CountBody(exchange);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            // A body the checks will report on must not stop the budget from settling.
            return exchange.Spec.TokenEstimate;
        }
    }

    private static long CountStream(IEnumerable<Sse.SseEvent> events, int reserved)
    {
        long? usage = null;
        long counted = 0;
        var unreadable = false;
        foreach (var ev in events)
        {
            if (Exchange.ParseStrict(ev.Data, out _) is not JsonObject chunk)
            {
                unreadable |= ev.Data.Trim() is not ("[DONE]" or "");
                continue;
            }

            usage = Usage(chunk) ?? usage;
            counted += Choices(chunk).Count(c => Text(c) is { Length: > 0 });
        }

        return usage ?? (unreadable ? Math.Max(counted, reserved) : counted);
    }

    private static long CountBody(Exchange exchange)
    {
        if (exchange.Json is not JsonObject body)
        {
            return exchange.Spec.TokenEstimate;
        }

        if (Usage(body) is { } usage)
        {
            return usage;
        }

        long total = 0;
        foreach (var choice in Choices(body))
        {
            var logprobs = choice["logprobs"] as JsonObject;

            // Completions shape (`tokens`), or the chat shape a llama.cpp server uses for completions too (`content`).
            total += (logprobs?["tokens"] ?? logprobs?["content"]) is JsonArray tokens ? tokens.Count : Quarter(Text(choice)?.Length ?? 0);
        }

        return total;
    }

    private static long? Usage(JsonObject body) =>
        Json.Int((body["usage"] as JsonObject)?["total_tokens"]) is { } total && total >= 0 ? total : null;

    private static IEnumerable<JsonObject> Choices(JsonObject body) =>
        (body["choices"] as JsonArray)?.OfType<JsonObject>() ?? [];

    /// <summary>The text of a completions choice, or of a chat choice (streamed delta or message).</summary>
    private static string? Text(JsonObject choice) =>
        StringOf(choice["text"]) ?? StringOf((choice["delta"] as JsonObject)?["content"]) ?? StringOf((choice["message"] as JsonObject)?["content"]);

    private static string? StringOf(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var s) ? s : null;

    private static long Quarter(int characters) => (characters + 3L) / 4;
}
