using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>The non-streamed <c>/v1/completions</c> response (spec-facts §2) and the models list (§7).</summary>
internal static class CompletionChecks
{
    public static IEnumerable<CheckDefinition> All()
    {
        yield return OnBody("completion.shape", "The response has the completion shape and keys", "spec-facts §2.1, §2.2 I1 I3 I7", Probes.Greedy, Shape);
        yield return OnBody("completion.id-format", "The id has the profile's format", "spec-facts §2.2 I4", Probes.Greedy, IdFormat);
        yield return OnBody("completion.usage.sums-exact", "usage.total_tokens = prompt_tokens + completion_tokens", "spec-facts §2.2 I2", Probes.Greedy, UsageSums);
        yield return OnBody("completion.length-implies-max-tokens", "finish_reason \"length\" implies completion_tokens = max_tokens", "spec-facts §2.2 I8", Probes.Greedy, LengthImpliesMax);
        yield return new("completion.stop.excluded", "A matched stop string is excluded from the text", "spec-facts §2.2 I10", StopExcluded);
        yield return new("completion.stop.reason-names-match", "stop_reason names the matched stop string", "spec-facts §2.1, §9 Q13", StopReason);
        yield return new("consistency.stream-equals-non-stream", "Streamed text equals non-streamed text at temperature 0", "spec-facts §4.2; issue 3 Consistency", StreamEqualsNonStream);
        yield return new("consistency.seed-repeatable", "The same seeded request twice gives the same output", "spec-facts §1.2 seed; provider-docs acs-overview", SeedRepeatable);
        yield return OnBody("models.list-shape", "GET /v1/models has the list shape", "spec-facts §7", Probes.Models, ModelsShape);
        yield return OnBody("models.lists-model", "The configured model is listed", "spec-facts §7", Probes.Models, ModelsListsModel);
    }

    /// <summary>A check on the successful JSON answer of one probe; any other answer fails it with that answer as evidence.</summary>
    public static CheckDefinition OnBody(string id, string title, string spec, Func<CheckContext, Task<Exchange>> probe, Func<CheckContext, Exchange, JsonObject, Outcome> evaluate) =>
        new(id, title, spec, async ctx =>
        {
            var ex = await probe(ctx);
            var (body, problem) = Success(ex);
            return body is null ? problem! : evaluate(ctx, ex, body);
        });

    /// <summary>Returns the parsed success body of a completion probe, or a failing outcome.</summary>
    public static (JsonObject? Body, Outcome? Problem) Success(Exchange ex)
    {
        if (ex.Unanswered)
        {
            return (null, Outcome.FromTransport(ex));
        }

        if (ex.Status != 200)
        {
            return (null, Outcome.WrongStatus($"the request was answered HTTP {ex.Status}", ex, "HTTP 200", $"HTTP {ex.Status}"));
        }

        return ex.Json is JsonObject body
            ? (body, null)
            : (null, Outcome.Fail("the body is not a JSON object", ex, "a JSON object", "not JSON"));
    }

    /// <summary>A rule over choices[0].<paramref name="key"/> on a completion that has none: nothing to judge, which is no pass.</summary>
    private static Outcome NoChoiceWith(string which, string what, string key, Exchange ex, JsonObject body) =>
        Outcome.Fail($"nothing to judge: {which} has no choice with {what}", ex, $"choices[0].{key}", $"choices = {Exchange.Excerpt(Json.Show(body["choices"]), 200)}");

    private static Outcome Shape(CheckContext ctx, Exchange ex, JsonObject body)
    {
        var issues = new List<string>();
        if (Json.Str(body["id"]) is null)
        {
            issues.Add("id is not a string");
        }

        if (Json.Str(body["object"]) != "text_completion")
        {
            issues.Add($"object is {Json.Show(body["object"])}, not \"text_completion\"");
        }

        issues.AddRange(CompletionShape.Issues(body, choice => ChoiceIssues(ctx, choice)));

        ctx.Observe("completion.model", Json.Str(body["model"]));
        ctx.Observe("completion.finish_reason", Json.Str(Probes.FirstChoice(body)?["finish_reason"]));
        ctx.Observe("completion.prompt_tokens", Json.Int(body["usage"]?["prompt_tokens"]));
        ctx.Observe("completion.completion_tokens", Json.Int(body["usage"]?["completion_tokens"]));
        return issues.Count == 0
            ? Outcome.Pass()
            : Outcome.Fail(issues[0], ex, "object \"text_completion\", string id and model, integer created, choices with " + string.Join(",", ctx.Profile.ChoiceKeys) + ", integer usage", string.Join("; ", issues));
    }

    private static IEnumerable<string> ChoiceIssues(CheckContext ctx, JsonNode? choice)
    {
        foreach (var key in ctx.Profile.ChoiceKeys.Where(k => !Json.Has(choice, k)))
        {
            yield return $"choice lacks \"{key}\"";
        }

        if (Json.Int(choice?["index"]) is null)
        {
            yield return "choice index is not an integer";
        }

        if (Json.Str(choice?["text"]) is null)
        {
            yield return "choice text is not a string";
        }

        if (!ctx.Profile.FinishReasons.Contains(Json.Str(choice?["finish_reason"])))
        {
            yield return $"finish_reason is {Json.Show(choice?["finish_reason"])}, not one of {string.Join(", ", ctx.Profile.FinishReasons.Select(Json.Quote))}";
        }

        if (Json.Kind(choice?["logprobs"]) is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            yield return "logprobs is neither an object nor null";
        }
    }

    private static Outcome IdFormat(CheckContext ctx, Exchange ex, JsonObject body)
    {
        var id = Json.Str(body["id"]);
        return id is not null && Regex.IsMatch(id, ctx.Profile.IdPattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1))
            ? Outcome.Pass(id)
            : Outcome.Fail("the id does not match the profile's pattern", ex, $"id matching /{ctx.Profile.IdPattern}/", $"id = {Json.Show(body["id"])}");
    }

    private static Outcome UsageSums(CheckContext ctx, Exchange ex, JsonObject body) => SumsExact(body["usage"], ex, null);

    /// <summary>usage.total_tokens = prompt_tokens + completion_tokens; shared by the streamed usage check.</summary>
    public static Outcome SumsExact(JsonNode? usage, Exchange ex, string? excerpt)
    {
        var prompt = Json.Int(usage?["prompt_tokens"]);
        var completion = Json.Int(usage?["completion_tokens"]);
        var total = Json.Int(usage?["total_tokens"]);
        if (prompt is null || completion is null || total is null)
        {
            return Outcome.Fail("usage lacks integer counts", ex, "integer prompt_tokens, completion_tokens, total_tokens", Json.Show(usage), excerpt);
        }

        return prompt + completion == total
            ? Outcome.Pass($"{prompt} + {completion} = {total}")
            : Outcome.Fail("usage does not add up", ex, $"total_tokens = {prompt} + {completion} = {prompt + completion}", $"total_tokens = {total}", excerpt);
    }

    private static Outcome LengthImpliesMax(CheckContext ctx, Exchange ex, JsonObject body)
    {
        var finish = Json.Str(Probes.FirstChoice(body)?["finish_reason"]);
        if (finish is null)
        {
            return NoChoiceWith("the completion", "a finish_reason", "finish_reason", ex, body);
        }

        if (finish != "length")
        {
            return Outcome.Pass($"finish_reason {Json.Quote(finish)}; the rule binds only on \"length\"");
        }

        var completion = Json.Int(body["usage"]?["completion_tokens"]);
        return completion == Probes.GreedyMaxTokens
            ? Outcome.Pass()
            : Outcome.Fail("finish_reason \"length\" but completion_tokens differs from max_tokens", ex, $"completion_tokens = {Probes.GreedyMaxTokens}", $"completion_tokens = {Json.Show(body["usage"]?["completion_tokens"])}");
    }

    /// <summary>The first choice of the stop probe, or the outcome that explains why there is none.</summary>
    private static async Task<(JsonNode? Choice, Exchange? Exchange, string Stop, string Expected, Outcome? Problem)> StoppedChoice(CheckContext ctx)
    {
        var greedy = await Probes.Greedy(ctx);
        if (Success(greedy).Problem is { } greedyProblem)
        {
            return (null, null, string.Empty, string.Empty, greedyProblem);
        }

        var (ex, stop, expected, reason) = await Probes.Stopped(ctx);
        if (ex is null)
        {
            return (null, null, string.Empty, string.Empty, Outcome.Fail($"could not derive a stop string: {reason}", greedy, "a greedy completion with a non-blank token", reason ?? string.Empty));
        }

        var (body, problem) = Success(ex);
        return (Probes.FirstChoice(body), ex, stop!, expected!, problem);
    }

    private static async Task<Outcome> StopExcluded(CheckContext ctx)
    {
        var (choice, ex, stop, expected, problem) = await StoppedChoice(ctx);
        if (problem is not null)
        {
            return problem;
        }

        var finish = Json.Str(choice?["finish_reason"]);
        var text = Json.Str(choice?["text"]);
        ctx.Observe("completion.stop.finish_reason", finish);
        var seen = $"text = {Json.Show(choice?["text"])}, finish_reason = {Json.Show(choice?["finish_reason"])}";
        if (text is null || text.Contains(stop, StringComparison.Ordinal))
        {
            return Outcome.Fail("the returned text contains the stop string", ex, $"text without {Json.Quote(stop)}", seen);
        }

        // The run reproduced the reference up to the stop position, where the stop string must have matched.
        if (text == expected)
        {
            return finish == "stop"
                ? Outcome.Pass()
                : Outcome.Fail("the text was cut before the stop string but finish_reason is not \"stop\"", ex, $"text = {Json.Quote(expected)} and finish_reason \"stop\" (stop = {Json.Quote(stop)})", seen);
        }

        // Temperature 0 is not reliably deterministic (openai, vllm): a run that left the reference text before the stop
        // position proves only the exclusion. Exact text is consistency.*'s business.
        return Outcome.Pass($"the stop string is excluded; the run diverged from the greedy reference ({seen}), so where it stopped is not compared");
    }

    private static async Task<Outcome> StopReason(CheckContext ctx)
    {
        var (choice, ex, stop, _, problem) = await StoppedChoice(ctx);
        if (problem is not null)
        {
            return problem;
        }

        if (Json.Str(choice?["finish_reason"]) != "stop")
        {
            // The stop string did not fire in this run (it diverged from the reference); stop.excluded judges the text.
            return Outcome.Pass($"the stop string did not fire (finish_reason {Json.Show(choice?["finish_reason"])}), so stop_reason names nothing");
        }

        return Json.Str(choice?["stop_reason"]) == stop
            ? Outcome.Pass()
            : Outcome.Fail("stop_reason does not name the matched stop string", ex, $"stop_reason = {Json.Quote(stop)}", $"stop_reason = {(Json.Has(choice, "stop_reason") ? Json.Show(choice?["stop_reason"]) : "absent")}");
    }

    private static async Task<Outcome> StreamEqualsNonStream(CheckContext ctx)
    {
        var ex = await Probes.Greedy(ctx);
        var (body, problem) = Success(ex);
        if (body is null)
        {
            return problem!;
        }

        var streamed = await Probes.StreamWithUsage(ctx);
        var (view, streamProblem) = StreamView.From(streamed);
        if (view is null)
        {
            return streamProblem!;
        }

        var expected = Json.Str(Probes.FirstChoice(body)?["text"]);
        if (expected is null)
        {
            return NoChoiceWith("the non-streamed completion", "text", "text", ex, body);
        }

        var texts = view.ByChoice.FirstOrDefault(g => g.Key == 0)?.Select(x => Json.Str(x.Choice["text"]) ?? string.Empty) ?? [];
        var seen = string.Concat(texts);
        return seen == expected
            ? Outcome.Pass()
            : Outcome.Fail("the streamed text differs from the non-streamed text", streamed, $"text = {Json.Quote(expected)} (non-streamed)", $"text = {Json.Quote(seen)} (streamed, joined)");
    }

    private static async Task<Outcome> SeedRepeatable(CheckContext ctx)
    {
        var first = await Probes.Seeded(ctx, "a");
        var second = await Probes.Seeded(ctx, "b");
        var (a, problemA) = Success(first);
        if (a is null)
        {
            return problemA!;
        }

        var (b, problemB) = Success(second);
        if (b is null)
        {
            return problemB!;
        }

        foreach (var (body, ex) in new[] { (a, first), (b, second) })
        {
            if (Json.Str(Probes.FirstChoice(body)?["text"]) is null)
            {
                return NoChoiceWith("a seeded completion", "text", "text", ex, body);
            }
        }

        var left = a["choices"]?.ToJsonString();
        var right = b["choices"]?.ToJsonString();
        return left == right
            ? Outcome.Pass()
            : Outcome.Fail("two identical seeded requests gave different choices", second, $"choices = {Exchange.Excerpt(left ?? "null", 400)}", $"choices = {Exchange.Excerpt(right ?? "null", 400)}");
    }

    private static Outcome ModelsShape(CheckContext ctx, Exchange ex, JsonObject body)
    {
        var issues = new List<string>();
        if (Json.Str(body["object"]) != "list")
        {
            issues.Add($"object is {Json.Show(body["object"])}, not \"list\"");
        }

        if (body["data"] is not JsonArray data)
        {
            issues.Add("data is not an array");
        }
        else
        {
            ctx.Observe("models.count", data.Count);
            foreach (var card in data)
            {
                var name = Json.Show(card?["id"]);
                if (Json.Str(card?["id"]) is null || Json.Str(card?["object"]) != "model" || Json.Int(card?["created"]) is null || Json.Str(card?["owned_by"]) is null)
                {
                    issues.Add($"model {name} lacks a string id, object \"model\", integer created or string owned_by");
                }

                issues.AddRange(ctx.Profile.ModelCardKeys.Where(k => !Json.Has(card, k)).Select(k => $"model {name} lacks \"{k}\""));
            }
        }

        return issues.Count == 0
            ? Outcome.Pass()
            : Outcome.Fail(issues[0], ex, "{\"object\":\"list\",\"data\":[{id,object:\"model\",created,owned_by" + string.Concat(ctx.Profile.ModelCardKeys.Select(k => "," + k)) + "}]}", string.Join("; ", issues));
    }

    private static Outcome ModelsListsModel(CheckContext ctx, Exchange ex, JsonObject body)
    {
        var ids = (body["data"] as JsonArray)?.Select(c => Json.Str(c?["id"])).Where(i => i is not null).ToList() ?? [];
        return ids.Contains(ctx.Model)
            ? Outcome.Pass()
            : Outcome.Fail("the configured model is not listed", ex, $"an entry with id \"{ctx.Model}\"", "ids: " + string.Join(", ", ids));
    }
}
