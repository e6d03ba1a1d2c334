using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>The non-streamed chat completion (spec-facts §5 notes, OAS CreateChatCompletionResponse), and ids and finish values streamed or not.</summary>
internal static class ChatResponseChecks
{
    public static IEnumerable<CheckDefinition> All()
    {
        yield return OnReference("chat.response.shape", "The chat completion has the chat.completion shape: message role, content, refusal and tool_calls as the profile says", "spec-facts §5 notes; OAS CreateChatCompletionResponse", Shape);
        yield return new("chat.response.id-format", "Chat ids, streamed and not, have the profile's format", "spec-facts §9 Q16", IdFormat);
        yield return new("chat.response.finish-reason-values", "Every finish_reason, streamed and not, is one of the profile's values", "spec-facts §5 (notes: typed clients throw on others)", FinishValues);
        yield return OnReference("chat.response.usage.sums-exact", "usage.total_tokens = prompt_tokens + completion_tokens", "spec-facts §2.2 I2", (_, ex, body) => CompletionChecks.SumsExact(body["usage"], ex, null));
        yield return OnReference("chat.response.length-implies-max-tokens", "finish_reason \"length\" implies completion_tokens = max_tokens", "spec-facts §2.2 I8", LengthImpliesMax);
    }

    /// <summary>A check on the reference chat completion, behind the chat gate.</summary>
    private static CheckDefinition OnReference(string id, string title, string spec, Func<CheckContext, Exchange, JsonObject, Outcome> evaluate) =>
        new(id, title, spec, async ctx =>
        {
            var (answer, stop) = await ChatProbes.GatedReference(ctx);
            return answer is null ? stop! : evaluate(ctx, answer.Exchange, answer.Body);
        });

    private static Outcome Shape(CheckContext ctx, Exchange ex, JsonObject body)
    {
        var rules = ctx.Profile.Chat;
        var issues = new List<string>();
        if (Json.Str(body["object"]) != "chat.completion")
        {
            issues.Add($"object is {Json.Show(body["object"])}, not \"chat.completion\"");
        }

        if (Json.Str(body["id"]) is null)
        {
            issues.Add("id is not a string");
        }

        issues.AddRange(CompletionShape.Issues(body, choice => ChoiceIssues(choice, rules.MessageRefusalKey)));

        ctx.Observe("chat.response.model", Json.Str(body["model"]));
        ctx.Observe("chat.response.prompt_tokens", Json.Int(body["usage"]?["prompt_tokens"]));
        return issues.Count == 0
            ? Outcome.Pass()
            : Outcome.Fail(
                issues[0], ex,
                "object \"chat.completion\", string id and model, integer created, choices with index, finish_reason and message {role \"assistant\", content string|null"
                + (rules.MessageRefusalKey ? ", refusal null|string" : string.Empty) + ", tool_calls absent or an array}, integer usage",
                string.Join("; ", issues));
    }

    private static IEnumerable<string> ChoiceIssues(JsonNode? choice, bool refusalRequired)
    {
        if (Json.Int(choice?["index"]) is null)
        {
            yield return "choice index is not an integer";
        }

        if (Json.Str(choice?["finish_reason"]) is null)
        {
            yield return $"finish_reason is {Json.Show(choice?["finish_reason"])}, not a string";
        }

        if (Json.Kind(choice?["logprobs"]) is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            yield return "logprobs is neither an object nor null";
        }

        if (choice?["message"] is not JsonObject message)
        {
            yield return "choice has no message object";
            yield break;
        }

        if (Json.Str(message["role"]) != "assistant")
        {
            yield return $"message.role is {Json.Show(message["role"])}, not \"assistant\"";
        }

        if (!message.ContainsKey("content") || Json.Kind(message["content"]) is not (JsonValueKind.String or JsonValueKind.Null))
        {
            yield return $"message.content is {(message.ContainsKey("content") ? Json.Show(message["content"]) : "absent")}, not a string or null";
        }

        if (refusalRequired && !message.ContainsKey("refusal"))
        {
            yield return "message lacks \"refusal\"";
        }

        if (message.ContainsKey("refusal") && Json.Kind(message["refusal"]) is not (JsonValueKind.String or JsonValueKind.Null))
        {
            yield return $"message.refusal is {Json.Show(message["refusal"])}, not a string or null";
        }

        if (message.ContainsKey("tool_calls") && message["tool_calls"] is not JsonArray)
        {
            yield return $"message.tool_calls is {Json.Show(message["tool_calls"])}, not an array (absent when there are none)";
        }
    }

    private static async Task<Outcome> IdFormat(CheckContext ctx)
    {
        var (answer, stop) = await ChatProbes.GatedReference(ctx);
        if (answer is null)
        {
            return stop!;
        }

        var (ex, body) = answer;
        var pattern = ctx.Profile.Chat.IdPattern;

        if (!Matches(Json.Str(body["id"]), pattern))
        {
            return Outcome.Fail("the chat completion's id does not match the profile's pattern", ex, $"id matching /{pattern}/", $"id = {Json.Show(body["id"])}");
        }

        var (view, streamProblem) = StreamView.From(await ChatProbes.Stream(ctx), kind: ChunkKind.Chat);
        if (view is null)
        {
            return streamProblem!;
        }

        var chunk = view.Chunks[0];
        return Matches(Json.Str(chunk.Json["id"]), pattern)
            ? Outcome.Pass(Json.Str(body["id"])!)
            : Outcome.Fail("a chat chunk's id does not match the profile's pattern", view.Exchange, $"id matching /{pattern}/", $"id = {Json.Show(chunk.Json["id"])}", StreamView.Frame(chunk));
    }

    private static bool Matches(string? id, string pattern) =>
        id is not null && Regex.IsMatch(id, pattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    private static async Task<Outcome> FinishValues(CheckContext ctx)
    {
        var (answer, stop) = await ChatProbes.GatedReference(ctx);
        if (answer is null)
        {
            return stop!;
        }

        var (ex, body) = answer;
        var allowed = ctx.Profile.Chat.FinishReasons;
        var expected = "finish_reason one of " + string.Join(", ", allowed.Select(Json.Quote));

        var choices = (body["choices"] as JsonArray)?.ToList() ?? [];
        if (choices.Count == 0)
        {
            return Outcome.Fail("nothing to judge: the chat completion has no choices", ex, expected, $"choices = {Json.Show(body["choices"])}");
        }

        foreach (var choice in choices)
        {
            if (!allowed.Contains(Json.Str(choice?["finish_reason"])))
            {
                return Outcome.Fail($"finish_reason is {Json.Show(choice?["finish_reason"])}, not one of the profile's values", ex, expected, $"finish_reason = {Json.Show(choice?["finish_reason"])}");
            }
        }

        var (view, streamProblem) = StreamView.From(await ChatProbes.Stream(ctx), kind: ChunkKind.Chat);
        if (view is null)
        {
            return streamProblem!;
        }

        var finishes = view.ByChoice.SelectMany(g => g).Where(x => Json.Str(x.Choice["finish_reason"]) is not null).ToList();
        if (finishes.Count == 0)
        {
            return Outcome.Fail("nothing to judge: no streamed chunk carries a finish_reason (chat.stream.finish-once reports that)", view.Exchange, expected, "no finish_reason in the stream", Exchange.Excerpt(view.Exchange.BodyText, 600));
        }

        var bad = finishes.FirstOrDefault(x => !allowed.Contains(Json.Str(x.Choice["finish_reason"])));
        ctx.Observe("chat.response.finish_reason", Json.Str(Probes.FirstChoice(body)?["finish_reason"]));
        return bad.Chunk is null
            ? Outcome.Pass()
            : Outcome.Fail($"a streamed finish_reason is {Json.Show(bad.Choice["finish_reason"])}, not one of the profile's values", view.Exchange, expected, $"finish_reason = {Json.Show(bad.Choice["finish_reason"])}", StreamView.Frame(bad.Chunk));
    }

    private static Outcome LengthImpliesMax(CheckContext ctx, Exchange ex, JsonObject body)
    {
        var finish = Json.Str(Probes.FirstChoice(body)?["finish_reason"]);
        if (finish is null)
        {
            return Outcome.Fail("nothing to judge: the chat completion has no choice with a finish_reason", ex, "choices[0].finish_reason", $"choices = {Exchange.Excerpt(Json.Show(body["choices"]), 200)}");
        }

        if (finish != "length")
        {
            return Outcome.Pass($"finish_reason {Json.Quote(finish)}; the rule binds only on \"length\"");
        }

        var completion = Json.Int(body["usage"]?["completion_tokens"]);
        return completion == ChatProbes.MaxTokens
            ? Outcome.Pass()
            : Outcome.Fail("finish_reason \"length\" but completion_tokens differs from max_tokens", ex, $"completion_tokens = {ChatProbes.MaxTokens}", $"completion_tokens = {Json.Show(body["usage"]?["completion_tokens"])}");
    }
}
