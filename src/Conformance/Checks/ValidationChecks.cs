using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// Bad input must be refused before any generation, with the OpenAI envelope, the right status, and (where the
/// profile says so) <c>param</c> and, where spec-facts names one, the provider's <c>code</c> (or null). Checks never judge
/// <c>error.message</c> (spec-facts §1.1); the boolean rule only compares two messages with each other.
/// </summary>
internal static class ValidationChecks
{
    /// <summary>The numeric sampler parameters that must refuse JSON booleans (provider-docs acs-logprobs "Gotcha", spec-facts §11.1).</summary>
    public static readonly IReadOnlyList<string> NumericParameters =
    [
        "max_tokens", "n", "best_of", "seed", "top_k", "temperature", "top_p", "min_p",
        "presence_penalty", "frequency_penalty", "repetition_penalty", "prompt_logprobs", "logprobs",
    ];

    /// <summary>A model id no endpoint serves.</summary>
    public const string UnknownModel = "conformance-no-such-model";

    /// <summary>
    /// How many events of a bounded probe's stream are read before it is abandoned. A validation probe is judged on its
    /// status alone, and a strict server refuses before the first byte; an accepting one has shown that with the status.
    /// </summary>
    public const int BoundedProbeEvents = 3;

    public static IEnumerable<CheckDefinition> All()
    {
        yield return Case(
            "validation.unknown-parameter", "An unknown parameter is refused and named", "spec-facts §1.1, §10 item 1",
            ctx => Body(ctx, b => b["max_tokenz"] = 4), 400, "max_tokenz", "unknown_parameter");

        foreach (var name in NumericParameters)
        {
            foreach (var value in new[] { true, false })
            {
                var id = $"validation.boolean.{name}.{(value ? "true" : "false")}";
                yield return new(
                    id, $"`{name}: {(value ? "true" : "false")}` is refused as the wrong type", "spec-facts §1.1, §10 item 2, §11.1, §12.1",
                    ctx => BooleanRefused(ctx, id, name, value, (mutate, again) => Body(ctx, mutate, again)));
            }
        }

        yield return Case(
            "validation.numeric-string.max_tokens", "`max_tokens: \"16\"` is refused as the wrong type", "spec-facts §1.1, §9 Q2",
            ctx => Body(ctx, b => b["max_tokens"] = "16"), 400, "max_tokens", "invalid_type");
        yield return Case(
            "validation.numeric-string.temperature", "`temperature: \"0.5\"` is refused as the wrong type", "spec-facts §1.1, §9 Q2",
            ctx => Body(ctx, b => b["temperature"] = "0.5"), 400, "temperature", "invalid_type");

        yield return Range("temperature-above-max", "temperature", 2.5, "spec-facts §1.2, §9 Q20");
        yield return Range("top_p-zero", "top_p", 0, "spec-facts §1.2, §9 Q19");
        yield return Range("n-zero", "n", 0, "spec-facts §1.2");
        yield return Range("max_tokens-zero", "max_tokens", 0, "spec-facts §1.2 (no echo)");
        yield return Range("max_tokens-negative", "max_tokens", -1, "spec-facts §1.2");
        yield return Range("presence_penalty-above-max", "presence_penalty", 2.5, "spec-facts §1.2");
        yield return Range("frequency_penalty-below-min", "frequency_penalty", -2.5, "spec-facts §1.2");
        yield return Range("logprobs-negative", "logprobs", -2, "spec-facts §1.2");

        yield return Case(
            "validation.logprobs.above-limit", "`logprobs` above the profile's ceiling is refused", "spec-facts §1.2, §10 item 3",
            ctx => Body(ctx, b => b["logprobs"] = ctx.Profile.MaxLogprobs + 1), 400, "logprobs", null);
        yield return Case(
            "validation.stream-options.without-stream", "`stream_options` without `stream: true` is refused", "spec-facts §1.1, §9 Q21",
            ctx => Body(ctx, b => b["stream_options"] = new JsonObject { ["include_usage"] = true }), 400, "stream_options", null);
        yield return Case(
            "validation.stream-options.empty-without-stream", "An empty `stream_options: {}` without `stream: true` is refused", "spec-facts §9 Q21, §11.1",
            ctx => Body(ctx, b => b["stream_options"] = new JsonObject()), 400, "stream_options", null);
        yield return Case(
            "validation.prompt-logprobs.while-streaming", "`prompt_logprobs` with `stream: true` is refused", "spec-facts §1.2, §4.5",
            ctx => Body(ctx, b =>
            {
                b["stream"] = true;
                b["prompt_logprobs"] = 1;
            }), 400, "prompt_logprobs", null);
        yield return Case(
            "validation.missing-model", "A request without `model` is refused", "spec-facts §1.1, §1.2",
            ctx => Body(ctx, b => b.Remove("model")), 400, "model", null);
        yield return Case(
            "validation.missing-prompt", "A request without `prompt` is refused", "spec-facts §1.1, §1.2",
            ctx => Body(ctx, b => b.Remove("prompt")), 400, "prompt", null);
        yield return Case(
            "validation.unknown-model", "An unknown model is answered 404", "spec-facts §1.2, §6.2",
            UnknownModelRequest, 404, "model", "model_not_found");
        yield return Case(
            "validation.invalid-json", "A body that is not JSON is refused", "spec-facts §6.2",
            InvalidJson,
            400, null, null);
        yield return Case(
            "validation.content-type", "A non-JSON Content-Type is refused", "spec-facts §1.1",
            ctx => ctx.Probe(new RequestSpec("validation.content-type", HttpMethod.Post, "completions", ctx.MinimalBody().ToJsonString(), ContentType: "text/plain", TokenEstimate: 80)),
            400, null, null);
        yield return Auth("auth.missing-key", "A request without a key is refused", AuthMode.None, null);
        yield return Auth("auth.wrong-key", "A request with a wrong key is refused", AuthMode.Wrong, "invalid_api_key");
    }

    /// <summary>
    /// A body cut off mid-object. Bounded whatever the server does: a parser that reads what it can still sees
    /// <c>max_tokens: 1</c> and <c>stream: true</c>, and the stream is abandoned after a few events.
    /// </summary>
    public static Task<Exchange> InvalidJson(CheckContext ctx) =>
        ctx.Probe(new RequestSpec(
            "validation.invalid-json", HttpMethod.Post, "completions", "{\"model\": \"" + ctx.Model + "\", \"max_tokens\": 1, \"stream\": true, \"prompt\": ",
            Stream: true, TokenEstimate: 80, AbandonAfterEvents: BoundedProbeEvents));

    /// <summary>A valid request for a model no endpoint serves.</summary>
    public static Task<Exchange> UnknownModelRequest(CheckContext ctx) => Body(ctx, b => b["model"] = UnknownModel);

    /// <summary>
    /// The shared judgement of an error answer: transport, status, envelope, then type, param and code as the profile requires.
    /// </summary>
    public static Outcome ExpectError(CheckContext ctx, string id, Exchange ex, int status, string? param, string? code)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(ex);
        if (ex.Unanswered)
        {
            return Outcome.FromTransport(ex);
        }

        ctx.Observe(id + ".status", ex.Status);
        if (ex.Status is >= 500 && ctx.Profile.ExpectedServerErrors.Contains(id))
        {
            // The profile records this 5xx as its expected divergence (spec-facts §12.1): judged here, at this check's level, once.
            return Outcome.Fail($"expected HTTP {status}, got {ex.Status} (the 5xx the {ctx.Profile.Name} profile expects)", ex, $"HTTP {status}", $"HTTP {ex.Status}");
        }

        if (ex.Status != status)
        {
            var accepted = ex.Status is >= 200 and < 300 ? " (the request was accepted)" : string.Empty;
            return Outcome.WrongStatus($"expected HTTP {status}, got {ex.Status}{accepted}", ex, $"HTTP {status}", $"HTTP {ex.Status}");
        }

        if (ex.Json?["error"] is not JsonObject error)
        {
            return Outcome.Fail("the error body is not the OpenAI envelope", ex, "{\"error\":{\"message\",\"type\",\"param\",\"code\"}}", "no `error` object");
        }

        ctx.Observe(id + ".code", Json.Show(error["code"]));
        var type = Json.Str(error["type"]);
        if (ctx.Profile.ErrorType is { } wantType && type != wantType)
        {
            return Outcome.Fail("wrong error.type", ex, $"error.type = \"{wantType}\"", $"error.type = {Json.Show(error["type"])}");
        }

        if (ctx.Profile.RequireParam && param is not null && Json.Str(error["param"]) != param)
        {
            return Outcome.Fail("error.param does not name the field", ex, $"error.param = \"{param}\"", $"error.param = {Json.Show(error["param"])}");
        }

        // Only the codes spec-facts names are pinned (§1.1, §6.2); null is always allowed (§11 item 2: a string or null).
        if (ctx.Profile.RequireErrorCode && code is not null && Json.Kind(error["code"]) != JsonValueKind.Null && Json.Str(error["code"]) != code)
        {
            return Outcome.Fail("wrong error.code", ex, $"error.code = \"{code}\" or null", $"error.code = {Json.Show(error["code"])}");
        }

        return Outcome.Pass(string.Create(CultureInfo.InvariantCulture, $"HTTP {status}, type {Json.Show(error["type"])}, param {Json.Show(error["param"])}, code {Json.Show(error["code"])}"));
    }

    private static CheckDefinition Range(string suffix, string name, double value, string spec)
    {
        var literal = value.ToString(CultureInfo.InvariantCulture);
        return Case(
            $"validation.range.{suffix}", $"`{name}: {literal}` is refused as out of range", spec,
            ctx => Body(ctx, b => b[name] = value % 1 == 0 ? JsonValue.Create((long)value) : JsonValue.Create(value)), 400, name, null);
    }

    private static CheckDefinition Auth(string id, string title, AuthMode mode, string? code) =>
        new(id, title, "spec-facts §6.1, §6.2", async ctx =>
        {
            if (string.IsNullOrEmpty(ctx.Options.ApiKey))
            {
                return Outcome.NotApplicable("no API key is configured, so the endpoint is taken to be open");
            }

            var ex = await ctx.Completion(id, ctx.MinimalBody(), auth: mode);
            return ExpectError(ctx, id, ex, 401, null, code);
        });

    private static CheckDefinition Case(string id, string title, string spec, Func<CheckContext, Task<Exchange>> send, int status, string? param, string? code) =>
        new(id, title, spec, async ctx => ExpectError(ctx, id, await send(ctx), status, param, code));

    /// <summary>
    /// <c>validation.boolean.*</c>: a 400 proves the boolean was refused only if the refusal is about its type. A server
    /// that coerces <c>false</c> to 0 and then refuses 0 as out of range (llama.cpp's <c>n: false</c>, spec-facts §12.1)
    /// accepts booleans. The rule: the refusal is a type refusal when <c>error.code</c> is <c>invalid_type</c>; otherwise
    /// the same body with the numeric equivalent (true → 1, false → 0) is sent. Another status, code, param or message
    /// (the value normalised) shows the type was refused: pass. When only the messages differ, the numeric body is sent
    /// once more and the places that change between its two answers (a counter, a Unix time, any per-request stamp) are
    /// masked in every message compared (<see cref="RequestStamps"/>); when the two answers cannot be lined up, known
    /// shapes (ISO timestamps, UUIDs, <c>req_</c> ids, long hex runs) are stripped instead. The
    /// same refusal fails: as coerced when the boolean's message shows the literal where the number's shows the number,
    /// or shows the number there and a third body (the value -7) proves that place shows the value read; otherwise with
    /// "nothing shows the refusal is about the type" (a generic message proves neither a type refusal nor coercion).
    /// <paramref name="send"/> sends the endpoint's minimal valid body changed by the given mutation (its second argument
    /// asks for a second sending of an equal body), so completions and chat (<c>chat.validation.boolean.*</c>) share the rule.
    /// </summary>
    internal static async Task<Outcome> BooleanRefused(CheckContext ctx, string id, string name, bool value, Func<Action<JsonObject>, bool, Task<Exchange>> send)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(send);
        var literal = value ? "true" : "false";
        var digit = value ? 1 : 0;
        var ex = await send(b => b[name] = value, false);
        var outcome = ExpectError(ctx, id, ex, 400, name, "invalid_type");
        var error = ex.Json?["error"];

        // A refusal (even one whose envelope breaks another rule) that does not name the type is compared with the
        // number's: when the boolean was coerced, that is the real reason, and it is reported before any envelope detail.
        if (ex.Status != 400 || ex.Failure != TransportFailure.None || error is not JsonObject || Json.Str(error["code"]) == "invalid_type")
        {
            return outcome;
        }

        var numeric = await send(b => b[name] = digit, false);
        if (numeric.Unanswered)
        {
            return Outcome.FromTransport(numeric);
        }

        var numericError = numeric.Json?["error"];
        var likeness = numeric.Status == ex.Status ? BooleanAnswers.Compare(error, numericError, literal, digit) : BooleanAnswers.Likeness.Different;
        var evidence = $"{ex.Describe(300)}\n--- the same body with {name}: {digit} ---\n{numeric.Describe(300)}";

        // Only the messages differ: maybe only by what the server stamps on every answer (a counter, a Unix time, a short
        // id), which no list of shapes covers. The same numeric body, sent again, shows which places change per request.
        RequestStamps? stamps = null;
        if (likeness == BooleanAnswers.Likeness.Different && numeric.Status == ex.Status
            && JsonNode.DeepEquals(error["code"], numericError?["code"]) && JsonNode.DeepEquals(error["param"], numericError?["param"])
            && Json.Str(error["message"]) is not null && Json.Str(numericError?["message"]) is { } numericMessage)
        {
            var again = await send(b => b[name] = digit, true);
            if (again.Status == numeric.Status && Json.Str(again.Json?["error"]?["message"]) is { } againMessage)
            {
                stamps = RequestStamps.Learn(numericMessage, againMessage);
                likeness = BooleanAnswers.Compare(error, numericError, literal, digit, stamps);
                evidence += $"\n--- the same body with {name}: {digit}, again ---\n{again.Describe(300)}";
            }
        }

        if (likeness == BooleanAnswers.Likeness.ShowsNumber)
        {
            var other = await send(b => b[name] = BooleanAnswers.OtherNumber, false);
            var shown = other.Status == ex.Status && BooleanAnswers.ShowsValue(numericError, other.Json?["error"], digit, stamps);
            likeness = shown ? BooleanAnswers.Likeness.Coerced : BooleanAnswers.Likeness.Indistinct;
            evidence += $"\n--- the same body with {name}: {BooleanAnswers.OtherNumber} ---\n{other.Describe(300)}";
        }

        ctx.Observe(id + ".coerced", likeness == BooleanAnswers.Likeness.Coerced);
        var expected = $"a refusal of the type: error.code \"invalid_type\", or an answer that differs from the one to `{name}: {digit}`";
        var seen = $"HTTP {ex.Status} for both, error {Exchange.Excerpt(Json.Show(error), 200)}";
        switch (likeness)
        {
            case BooleanAnswers.Likeness.Coerced:
                return Outcome.Fail(
                    $"the server refused `{name}: {literal}` exactly as it refuses `{name}: {digit}`: the boolean was coerced, not refused",
                    ex, expected, seen, evidence);
            case BooleanAnswers.Likeness.Indistinct:
                var same = Json.Str(error["message"]) is null ? "same status, code and param, no message" : "same status, message, code and param";
                return Outcome.Fail(
                    $"the server refused `{name}: {literal}` exactly as it refuses `{name}: {digit}` ({same}): nothing shows the refusal is about the type",
                    ex, expected, seen, evidence);
            default:
                var differs = numeric.Status != ex.Status ? string.Empty
                    : !JsonNode.DeepEquals(error["code"], numericError?["code"]) ? " with another code"
                    : !JsonNode.DeepEquals(error["param"], numericError?["param"]) ? " with another param"
                    : " with another message";
                return outcome.Kind != OutcomeKind.Pass ? outcome : outcome with { Message = $"{outcome.Message}; refused as a type: `{name}: {digit}` is answered HTTP {numeric.Status}{differs}" };
        }
    }

    /// <summary>
    /// Sends the minimal valid body changed by <paramref name="mutate"/>; the body itself names the probe, so equal bodies
    /// are sent once (<paramref name="again"/> sends it a second time, under another name). A body whose
    /// <c>max_tokens</c> is not a positive integer (absent, null, zero, negative, a boolean, a string) might make a
    /// lenient server generate until its context is full (spec-facts §12.1, <c>max_tokens: -1</c>):
    /// such a probe is sent with <c>stream: true</c> and abandoned after <see cref="BoundedProbeEvents"/> events, so it
    /// costs a few tokens whatever the server does. A server that validates refuses it before the first byte, as before.
    /// </summary>
    private static Task<Exchange> Body(CheckContext ctx, Action<JsonObject> mutate, bool again = false)
    {
        var body = ctx.MinimalBody();
        mutate(body);
        if (Json.Int(body["max_tokens"]) is not > 0 && !body.ContainsKey("stream"))
        {
            body["stream"] = true;
        }

        var stream = Json.Kind(body["stream"]) == JsonValueKind.True;
        // A second sending of the same body needs its own probe name, or the first answer would be reused.
        return ctx.Completion((again ? "validation-again:" : "validation:") + body.ToJsonString(), body, stream, abandonAfterEvents: stream ? BoundedProbeEvents : 0);
    }
}
