using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// Bad input must be refused before any generation, with the OpenAI envelope, the right status, and (where the
/// profile says so) <c>param</c> and, where spec-facts names one, the provider's <c>code</c> (or null). Checks never read <c>error.message</c> (spec-facts §1.1).
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

    public static IEnumerable<CheckDefinition> All()
    {
        yield return Case(
            "validation.unknown-parameter", "An unknown parameter is refused and named", "spec-facts §1.1, §10 item 1",
            ctx => Body(ctx, b => b["max_tokenz"] = 4), 400, "max_tokenz", "unknown_parameter");

        foreach (var name in NumericParameters)
        {
            foreach (var value in new[] { true, false })
            {
                var literal = value ? "true" : "false";
                yield return Case(
                    $"validation.boolean.{name}.{literal}", $"`{name}: {literal}` is refused as the wrong type", "spec-facts §1.1, §10 item 2, §11.1",
                    ctx => Body(ctx, b => b[name] = value), 400, name, "invalid_type");
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

    /// <summary>A body cut off mid-object; the estimate covers an endpoint that somehow generates anyway.</summary>
    public static Task<Exchange> InvalidJson(CheckContext ctx) =>
        ctx.Probe(new RequestSpec("validation.invalid-json", HttpMethod.Post, "completions", "{\"model\": \"" + ctx.Model + "\", \"prompt\": ", TokenEstimate: 80));

    /// <summary>A valid request for a model no endpoint serves.</summary>
    public static Task<Exchange> UnknownModelRequest(CheckContext ctx) => Body(ctx, b => b["model"] = UnknownModel);

    /// <summary>
    /// The shared judgement of an error answer: transport, status, envelope, then type, param and code as the profile requires.
    /// </summary>
    public static Outcome ExpectError(CheckContext ctx, string id, Exchange ex, int status, string? param, string? code)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        ArgumentNullException.ThrowIfNull(ex);
        if (ex.Status is null || ex.Failure != TransportFailure.None)
        {
            return Outcome.FromTransport(ex);
        }

        ctx.Observe(id + ".status", ex.Status);
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

    /// <summary>Sends the minimal valid body changed by <paramref name="mutate"/>; the body itself names the probe, so equal bodies are sent once.</summary>
    private static Task<Exchange> Body(CheckContext ctx, Action<JsonObject> mutate)
    {
        var body = ctx.MinimalBody();
        mutate(body);
        return ctx.Completion("validation:" + body.ToJsonString(), body);
    }
}
