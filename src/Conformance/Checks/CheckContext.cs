using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Conformance.Http;
using Conformance.Profiles;

namespace Conformance.Checks;

/// <summary>
/// Everything a check may use. Probes are cached by name so several checks assert on one recorded exchange:
/// the streaming request is sent once however many stream checks read it, which keeps the token cost low.
/// </summary>
internal sealed class CheckContext(ConformanceOptions options, Profile profile, EndpointClient client, CancellationToken runToken)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Exchange>>> _probes = new(StringComparer.Ordinal);

    public ConformanceOptions Options { get; } = options;

    public Profile Profile { get; } = profile;

    public EndpointClient Client { get; } = client;

    public CancellationToken RunToken { get; } = runToken;

    public string Model => Options.Model;

    /// <summary>Gets the observed behaviours that the report records for <c>diff</c>.</summary>
    public ConcurrentDictionary<string, string> Observations { get; } = new(StringComparer.Ordinal);

    /// <summary>Sends <paramref name="spec"/> once per run, keyed by its probe name.</summary>
    public Task<Exchange> Probe(RequestSpec spec) =>
        _probes.GetOrAdd(spec.Probe, _ => new Lazy<Task<Exchange>>(() => Client.SendAsync(spec, RunToken))).Value;

    /// <summary>
    /// Completes when every probe sent so far has been answered (or has failed). A check may return on its first probe's
    /// problem while a second is still in flight; the aggregate checks must not read the log before it lands, or what
    /// they see would depend on timing.
    /// </summary>
    public Task ProbesSettled() => Task.WhenAll(_probes.Values.Select(p => p.Value));

    /// <summary>
    /// A POST to <c>completions</c> with a JSON body; the estimate covers max_tokens × n plus a prompt allowance.
    /// <c>abandonAfterEvents</c> stops reading a stream after that many events (a bounded probe); 0 reads it all.
    /// </summary>
    public Task<Exchange> Completion(string probe, JsonObject body, bool stream = false, AuthMode auth = AuthMode.Configured, int abandonAfterEvents = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        var maxTokens = Json.Int(body["max_tokens"]) is { } m && m is > 0 and < 4_096 ? (int)m : 16;
        var n = Json.Int(body["n"]) is { } c && c is > 0 and < 16 ? (int)c : 1;

        // 64 covers the short prompts the suite sends, echoed once more when echo is on.
        var estimate = (maxTokens * n) + 64;
        return Probe(new RequestSpec(probe, HttpMethod.Post, "completions", body.ToJsonString(), Stream: stream, Auth: auth, TokenEstimate: estimate, AbandonAfterEvents: abandonAfterEvents));
    }

    /// <summary>
    /// A POST to <c>chat/completions</c> with a JSON body; the estimate covers max_tokens (or max_completion_tokens) × n
    /// plus a prompt allowance for the chat template's tokens.
    /// </summary>
    public Task<Exchange> Chat(string probe, JsonObject body, bool stream = false, AuthMode auth = AuthMode.Configured, int abandonAfterEvents = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        var maxTokens = (Json.Int(body["max_completion_tokens"]) ?? Json.Int(body["max_tokens"])) is { } m && m is > 0 and < 4_096 ? (int)m : 16;
        var n = Json.Int(body["n"]) is { } c && c is > 0 and < 16 ? (int)c : 1;
        var estimate = (maxTokens * n) + 96;
        return Probe(new RequestSpec(probe, HttpMethod.Post, "chat/completions", body.ToJsonString(), Stream: stream, Auth: auth, TokenEstimate: estimate, AbandonAfterEvents: abandonAfterEvents));
    }

    /// <summary>A minimal valid chat body: the configured model, one short user message and one token.</summary>
    public JsonObject MinimalChatBody() => new()
    {
        ["model"] = Model,
        ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "Hi" }),
        ["max_tokens"] = 1,
    };

    /// <summary>
    /// Why chat checks cannot be judged on this target, or null when chat is served. One shared probe decides: a 404 on
    /// the route, or a 400 saying the model has no chat template (vLLM on a base model, spec-facts §5 notes), makes the
    /// chat checks not applicable, unless the user asked for them with <c>--only chat…</c>, which makes it a failure.
    /// Any other answer (a transport failure included) is left to each check to judge on its own probe.
    /// </summary>
    public async Task<Outcome?> ChatUnavailable()
    {
        var gate = await Chat("chat.gate", MinimalChatBody()).ConfigureAwait(false);
        string? reason = null;
        if (gate.Failure == TransportFailure.None && gate.Status == 404 && !IsModelNotFound(gate))
        {
            reason = "the endpoint does not serve chat completions (404 on POST chat/completions)";
        }
        else if (gate.Failure == TransportFailure.None && gate.Status == 400
            && gate.BodyText.Contains("chat template", StringComparison.OrdinalIgnoreCase))
        {
            reason = $"the model '{Model}' has no chat template (400)";
        }

        if (reason is null)
        {
            return null;
        }

        var asked = Options.Only.Any(s => s == "chat" || s.StartsWith("chat.", StringComparison.Ordinal));
        // Not evaluable, so it fails at every level: a SHOULD chat check asked for by name must not merely warn.
        return asked
            ? Outcome.NotEvaluable($"chat checks were asked for with --only, but {reason}", gate, "chat completions served for the model", reason)
            : Outcome.NotApplicable(reason);
    }

    /// <summary>
    /// Whether <paramref name="exchange"/> is the chat gate's 404 for a route the endpoint does not serve. That 404 only
    /// says chat is not applicable; it is no answer of the API, so the envelope rules (errors.envelope, schema.error) leave
    /// it out, as they would never have seen it on an endpoint the suite did not ask about chat.
    /// </summary>
    public static bool IsUnservedChatRoute(Exchange exchange)
    {
        ArgumentNullException.ThrowIfNull(exchange);
        return exchange.Spec.Probe == "chat.gate" && exchange.Failure == TransportFailure.None && exchange.Status == 404 && !IsModelNotFound(exchange);
    }

    private static bool IsModelNotFound(Exchange exchange) =>
        Json.Str(exchange.Json?["error"]?["code"]) == "model_not_found";

    /// <summary>A minimal valid body: the configured model, a short prompt and one token.</summary>
    public JsonObject MinimalBody() => new() { ["model"] = Model, ["prompt"] = "Hi", ["max_tokens"] = 1 };

    public void Observe(string key, object? value) =>
        Observations[key] = value switch
        {
            null => "null",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "null",
        };
}
