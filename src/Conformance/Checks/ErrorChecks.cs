using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;
using Conformance.Profiles;

namespace Conformance.Checks;

/// <summary>Rules over every answer of the run: the error envelope, no 5xx, and Retry-After on 429/503 (spec-facts §6).</summary>
internal static class ErrorChecks
{
    private static readonly string[] NullableKeys = ["param", "code"];

    public static IEnumerable<CheckDefinition> All()
    {
        yield return new("errors.envelope", "Every error uses the OpenAI envelope with the profile's key types", "spec-facts §6.1, §10 item 7", Envelope, Aggregate: true, Prepare: ErrorProbes);
        yield return new("errors.no-5xx", "No request is answered with a 5xx, malformed-but-typed input included", "spec-facts §6.2, §9 Q26", No5xx, Aggregate: true, Prepare: MalformedLogitBias);
        yield return new("errors.retry-after", "Every 429/503 carries a usable Retry-After (whole seconds or an HTTP date); a 429 insufficient_quota or x-should-retry: false needs none", "spec-facts §6.2, §6.4, §11.6", RetryAfter, Aggregate: true, Prepare: RetryProbe);
    }

    /// <summary>
    /// Two requests every endpoint refuses, so errors exist to judge even when an error check runs alone. One after the
    /// other, so the log (and which bad body a check names first) has the same order in every run.
    /// </summary>
    public static async Task<Exchange[]> ErrorProbes(CheckContext ctx) =>
        [await ValidationChecks.InvalidJson(ctx), await ValidationChecks.UnknownModelRequest(ctx)];

    /// <summary>Malformed but well-typed input, where servers have answered 500 (spec-facts §9 Q26).</summary>
    private static Task<Exchange> MalformedLogitBias(CheckContext ctx)
    {
        var body = ctx.MinimalBody();
        body["logit_bias"] = new JsonObject { ["not-a-token-id"] = 1 };
        return ctx.Completion("errors.malformed-logit-bias", body);
    }

    /// <summary>One cheap request of errors.retry-after's own, so a cold start shows even when it runs alone.</summary>
    internal static Task<Exchange> RetryProbe(CheckContext ctx) => ctx.Completion("errors.retry-probe", ctx.MinimalBody());

    private static async Task<Outcome> Envelope(CheckContext ctx)
    {
        // If the errors it asked for never came back (a hang, a reset, the run timeout), there is nothing to judge: that is no pass.
        foreach (var own in await ErrorProbes(ctx))
        {
            if (own.Unanswered)
            {
                return Outcome.FromTransport(own);
            }
        }

        var errors = ctx.Client.Log.Where(e => e.Status is >= 400 && !CheckContext.IsUnservedChatRoute(e)).ToList();
        if (errors.Count == 0)
        {
            return NoErrorToJudge(ctx);
        }

        foreach (var ex in errors)
        {
            if (Problem(ctx.Profile, ex.Json) is { } problem)
            {
                return Outcome.Fail($"an HTTP {ex.Status} body breaks the envelope: {problem}", ex, ExpectedText(ctx.Profile), problem);
            }
        }

        ctx.Observe("errors.code_kind", errors.Select(e => Json.Kind(e.Json?["error"]?["code"]).ToString()).Distinct().Order(StringComparer.Ordinal).Aggregate(string.Empty, (a, b) => a.Length == 0 ? b : a + "|" + b));
        return Outcome.Pass($"{errors.Count} error bodies");
    }

    /// <summary>An error rule in a run where no request was refused: nothing to judge, which is no pass.</summary>
    public static Outcome NoErrorToJudge(CheckContext ctx)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var statuses = string.Join(", ", ctx.Client.Log.Where(e => e.Status is not null).Select(e => e.Status!.Value).Distinct().Order());
        var own = ctx.Client.Log.FirstOrDefault(e => e.Spec.Probe == "validation.invalid-json");
        return Outcome.Fail(
            "nothing to judge: no request of the run was answered with an error (invalid JSON and an unknown model included)", own,
            "at least one HTTP 4xx/5xx answer with an error body", $"statuses seen: {(statuses.Length == 0 ? "none" : statuses)}");
    }

    /// <summary>The error envelope the profile expects, as evidence's "expected" text (also for a mid-stream error event).</summary>
    internal static string ExpectedText(Profile profile) =>
        "{\"error\":{\"message\":string,\"type\":string,\"param\":string|null,\"code\":"
        + (profile.CodeKind == ErrorCodeKind.Integer ? "integer" : "string|null") + "}}"
        + (profile.RequireAllErrorKeys ? " with all four keys present" : string.Empty);

    internal static string? Problem(Profile profile, JsonNode? body)
    {
        if (body?["error"] is not JsonObject error)
        {
            return body is null ? "the body is not JSON" : "no `error` object";
        }

        if (Json.Str(error["message"]) is null)
        {
            return "error.message is not a string";
        }

        if (Json.Str(error["type"]) is null)
        {
            return "error.type is not a string";
        }

        foreach (var key in NullableKeys)
        {
            if (profile.RequireAllErrorKeys && !error.ContainsKey(key))
            {
                return $"error.{key} is absent";
            }
        }

        if (Json.Kind(error["param"]) is not (JsonValueKind.String or JsonValueKind.Null))
        {
            return $"error.param is {Json.Show(error["param"])}";
        }

        var codeKind = Json.Kind(error["code"]);
        var codeOk = profile.CodeKind == ErrorCodeKind.Integer
            ? Json.Int(error["code"]) is not null || !error.ContainsKey("code")
            : codeKind is JsonValueKind.String or JsonValueKind.Null;
        return codeOk ? null : $"error.code is {Json.Show(error["code"])}";
    }

    private static async Task<Outcome> No5xx(CheckContext ctx)
    {
        var own = await MalformedLogitBias(ctx);
        if (own.Unanswered)
        {
            return Outcome.FromTransport(own);
        }

        // An answer with neither an error nor a completion (200 and an empty body, `{}`, `{"choices":[]}` or a choice
        // without text: a crash after the headers?) says nothing about how the server handled the input.
        if (own.Status < 500 && (own.Json is not JsonObject answer
            || (answer["error"] is not JsonObject && !(answer["choices"] is JsonArray choices && choices.Any(c => Json.Str(c?["text"]) is not null)))))
        {
            return Outcome.Fail(
                $"nothing to judge: the malformed-input probe was answered HTTP {own.Status} with neither an error nor a completion", own,
                "an error body or a completion", Exchange.Excerpt(own.BodyText, 200));
        }

        // A 5xx the profile expects (spec-facts §12.1: llama.cpp's 500 for invalid JSON) is reported by its own check, once.
        var judged = ctx.Client.Log.Where(e => !ctx.Profile.ExpectedServerErrors.Contains(e.Spec.Probe)).ToList();
        var server = judged.FirstOrDefault(e => e.Status is >= 500);
        ctx.Observe("errors.5xx_count", ctx.Client.Log.Count(e => e.Status is >= 500));
        var excluded = ctx.Client.Log.Count - judged.Count;
        return server is null
            ? Outcome.Pass($"{judged.Count(e => e.Status is not null)} answers, none 5xx" + (excluded > 0 ? $" ({excluded} left to the check whose 5xx the {ctx.Profile.Name} profile expects)" : string.Empty))
            : Outcome.Fail($"a request was answered HTTP {server.Status}", server, "a status below 500", $"HTTP {server.Status}" + (server.Retries.Count > 0 ? $" after {server.Retries.Count} retries" : string.Empty));
    }

    private static bool BelowOneSecond(string? value) =>
        double.TryParse(value?.Trim(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var seconds) && seconds < 1;

    /// <summary>RFC 9110 §10.2.3: <c>1*DIGIT</c> or an IMF-fixdate.</summary>
    private static bool WholeSecondsOrDate(string? value)
    {
        var text = value?.Trim() ?? string.Empty;
        return (text.Length > 0 && text.All(char.IsAsciiDigit))
            || DateTimeOffset.TryParseExact(text, "r", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out _);
    }

    private static async Task<Outcome> RetryAfter(CheckContext ctx)
    {
        var own = await RetryProbe(ctx);
        if (own.Unanswered)
        {
            return Outcome.FromTransport(own);
        }

        var all = ctx.Client.Log
            .SelectMany(e => e.Retries.Select(r => (Exchange: e, Record: r)))
            .ToList();
        ctx.Observe("transport.retries", all.Count);

        // spec-facts §6.2: a 429 that needs a person to act (insufficient_quota) may omit Retry-After; waiting cannot help.
        // So may a 429 whose server says retrying cannot help (x-should-retry: false, which stops the OpenAI SDK's
        // retries, §6.4, §11 item 6): OpenAI's "Request too large" 429 rate_limit_exceeded, a request above the whole
        // per-minute limit, comes without Retry-After. A 503 stays judged: §11 item 6 wants its Retry-After, and the
        // spec's leave to omit it covers 429s only.
        var quota = all.Count(a => a.Record.Status == 429 && a.Record.ErrorCode == "insufficient_quota");
        var refused = all.Count(a => a.Record.Status == 429 && a.Record.ErrorCode != "insufficient_quota" && a.Record.RetryRefused);
        var answers = all.Where(a => !(a.Record.Status == 429 && (a.Record.ErrorCode == "insufficient_quota" || a.Record.RetryRefused))).ToList();
        var bad = answers.FirstOrDefault(a => !a.Record.RetryAfterValid || !WholeSecondsOrDate(a.Record.RetryAfter));
        var zero = answers.FirstOrDefault(a => a.Record.Status == 429 && a.Record.RetryAfterValid && BelowOneSecond(a.Record.RetryAfter));
        if (bad.Exchange is null && zero.Exchange is not null)
        {
            // spec-facts §6.2 / §11 item 6: a 429's Retry-After is integer seconds >= 1; 0 invites an immediate retry storm.
            return Outcome.Fail(
                "an HTTP 429 came with a Retry-After below one second", zero.Exchange, "Retry-After: <seconds >= 1>",
                $"Retry-After: {zero.Record.RetryAfter}", $"HTTP 429\n{zero.Record.Excerpt}");
        }

        if (bad.Exchange is not null)
        {
            // RFC 9110 §10.2.3: delay-seconds (whole) or an HTTP date. A fraction is waited by the OpenAI SDK but not by
            // every client (.NET's RetryConditionHeaderValue refuses it), so it is no usable value either.
            return Outcome.Fail(
                $"an HTTP {bad.Record.Status} came without a usable Retry-After", bad.Exchange, "Retry-After: <whole seconds> or an HTTP date",
                $"Retry-After: {bad.Record.RetryAfter ?? "absent"}", $"HTTP {bad.Record.Status}\n{bad.Record.Excerpt}");
        }

        var exempt = (quota > 0 ? $"; {quota} insufficient_quota 429(s) need none" : string.Empty)
            + (refused > 0 ? $"; {refused} 429(s) with x-should-retry: false need none" : string.Empty);

        // The rule binds only on a 429/503; a run without one has no Retry-After to judge, which is no pass.
        return answers.Count == 0
            ? Outcome.NotApplicable($"no 429/503 was answered in this run ({ctx.Client.Log.Count(e => e.Status is not null)} answers{exempt}), so there is no Retry-After to judge")
            : Outcome.Pass($"{answers.Count} 429/503 answers, each with Retry-After{exempt}");
    }
}
