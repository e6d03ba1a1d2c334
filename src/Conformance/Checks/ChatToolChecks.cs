using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;
using NJsonSchema;

namespace Conformance.Checks;

/// <summary>
/// The tool-call probe (issue 7, "Suite: chat checks"): one function tool and a <c>tool_choice</c> naming it, sent once
/// non-streamed and once streamed. Opt-in (<c>--tool-probe</c>) because a forced call costs real tokens. The streamed
/// rules are the ones clients trip on (spec-facts §5): each call's <c>id</c> and name arrive once, on its first fragment,
/// and its <c>arguments</c> fragments only make sense concatenated.
/// </summary>
internal static class ChatToolChecks
{
    /// <summary>The function the probe offers and names in <c>tool_choice</c>.</summary>
    public const string FunctionName = "get_weather";

    /// <summary>Why the checks are not applicable when the probe was not asked for; the no-evidence guard knows this reason.</summary>
    public const string OptIn = "opt-in: --tool-probe (a forced tool call costs tokens)";

    private const string Spec = "spec-facts §5; OAS ChatCompletionMessageToolCall, ChatCompletionMessageToolCallChunk";

    private static readonly Lazy<Task<JsonSchema>> ArgumentsSchema = new(() => JsonSchema.FromJsonAsync(Parameters().ToJsonString()));

    public static IEnumerable<CheckDefinition> All()
    {
        yield return Check("chat.tools.call", "A named `tool_choice` is answered with that call: id, type function, the name, arguments valid against its schema", Spec, CallShape);
        yield return Check("chat.tools.finish-reason", "A forced tool call finishes with `tool_calls`, streamed and not", "spec-facts §5 (finish values; vLLM says \"stop\" for a named tool choice)", FinishReason);
        yield return Check("chat.tools.stream.deltas", "Streamed `tool_calls` deltas carry `index`; each call's `id` and name come once, on its first fragment", Spec, StreamDeltas);
        yield return Check("chat.tools.stream.arguments", "Streamed `arguments` fragments of each call concatenate to JSON valid against the schema", Spec, StreamArguments);
        yield return Check("chat.tools.stream.one-finish", "The streamed tool-call choice finishes exactly once, and nothing for it follows", "spec-facts §5, §4.3", OneFinish);
    }

    /// <summary>The function's JSON Schema: a required string and a required integer, nothing else.</summary>
    public static JsonObject Parameters() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["city"] = new JsonObject { ["type"] = "string", ["description"] = "The city to forecast." },
            ["days"] = new JsonObject { ["type"] = "integer", ["minimum"] = 1, ["maximum"] = 7, ["description"] = "How many days ahead." },
        },
        ["required"] = new JsonArray("city", "days"),
        ["additionalProperties"] = false,
    };

    /// <summary>The non-streamed probe.</summary>
    public static Task<Exchange> Call(CheckContext ctx) => ctx.Chat("chat.tools.call", Body(ctx, stream: false));

    /// <summary>The same request streamed.</summary>
    public static Task<Exchange> Stream(CheckContext ctx) => ctx.Chat("chat.tools.stream", Body(ctx, stream: true), stream: true);

    private static JsonObject Body(CheckContext ctx, bool stream)
    {
        var body = new JsonObject
        {
            ["model"] = ctx.Model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "What will the weather be in Paris over the next 3 days?" }),
            ["tools"] = new JsonArray(new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject
                {
                    ["name"] = FunctionName,
                    ["description"] = "Get the weather forecast for a city.",
                    ["parameters"] = Parameters(),
                },
            }),
            ["tool_choice"] = new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = FunctionName } },

            // Room for the arguments ({"city": "Paris", "days": 3} is about 12 tokens in common vocabularies).
            ["max_tokens"] = 64,
            ["temperature"] = 0,
        };
        if (stream)
        {
            // Usage in every dialect, so the budget settles on what the call cost: arguments fragments carry no content
            // the budget could count otherwise.
            body["stream"] = true;
            body["stream_options"] = new JsonObject { ["include_usage"] = true };
        }

        return body;
    }

    /// <summary>
    /// The opt-in comes first: when it is off nothing is sent, not even the shared chat gate. Then the gate, as for every
    /// chat check (<see cref="CheckContext.ChatUnavailable"/>).
    /// </summary>
    private static CheckDefinition Check(string id, string title, string spec, Func<CheckContext, Task<Outcome>> evaluate) =>
        new(id, title, spec, async ctx =>
            !ctx.Options.ToolProbe ? Outcome.NotApplicable(OptIn)
            : await ctx.ChatUnavailable() is { } na ? na
            : await evaluate(ctx));

    private static async Task<Outcome> CallShape(CheckContext ctx)
    {
        var ex = await Call(ctx);
        var (call, problem) = FirstCall(ex);
        if (call is null)
        {
            return problem!;
        }

        var issues = new List<string>();
        if (Json.Str(call["id"]) is not { Length: > 0 })
        {
            issues.Add($"id is {Json.Show(call["id"])}, not a non-empty string");
        }

        if (Json.Str(call["type"]) != "function")
        {
            issues.Add($"type is {Json.Show(call["type"])}, not \"function\"");
        }

        if (Json.Str(call["function"]?["name"]) != FunctionName)
        {
            issues.Add($"function.name is {Json.Show(call["function"]?["name"])}, not \"{FunctionName}\" (the tool_choice)");
        }

        if (Json.Str(call["function"]?["arguments"]) is not { } arguments)
        {
            issues.Add($"function.arguments is {Json.Show(call["function"]?["arguments"])}, not a string of JSON");
        }
        else if (await ArgumentsProblem(arguments) is { } bad)
        {
            issues.Add($"function.arguments {bad}");
        }

        return issues.Count == 0
            ? Outcome.Pass($"{FunctionName}({Json.Str(call["function"]?["arguments"])}), id {Json.Show(call["id"])}")
            : Outcome.Fail(string.Join("; ", issues), ex, "message.tool_calls[0] = {id, type: \"function\", function: {name, arguments: JSON text valid against the schema}}", Exchange.Excerpt(Json.Show(call), 300));
    }

    private static async Task<Outcome> FinishReason(CheckContext ctx)
    {
        var ex = await Call(ctx);
        var (body, problem) = CompletionChecks.Success(ex);
        if (body is null)
        {
            return problem!;
        }

        if (Probes.FirstChoice(body) is not JsonObject choice)
        {
            return Outcome.Fail("nothing to judge: the tool-call answer has no choice", ex, "choices[0].finish_reason", $"choices = {Exchange.Excerpt(Json.Show(body["choices"]), 200)}");
        }

        if (Json.Str(choice["finish_reason"]) != "tool_calls")
        {
            return Outcome.Fail($"the non-streamed tool call finished with {Json.Show(choice["finish_reason"])}", ex, "finish_reason \"tool_calls\"", $"finish_reason {Json.Show(choice["finish_reason"])}");
        }

        var streamed = await Stream(ctx);
        var (view, streamProblem) = StreamView.From(streamed, kind: ChunkKind.Chat);
        if (view is null)
        {
            return streamProblem!;
        }

        var finishes = view.ByChoice.SelectMany(g => g).Where(x => Json.Kind(x.Choice["finish_reason"]) != JsonValueKind.Null).ToList();
        if (finishes.Count == 0)
        {
            return Outcome.Fail("nothing to judge: the streamed tool call carried no finish_reason", streamed, "a chunk with finish_reason \"tool_calls\"", "none", Exchange.Excerpt(streamed.BodyText, 600));
        }

        if (finishes.FirstOrDefault(x => Json.Str(x.Choice["finish_reason"]) != "tool_calls") is { Chunk: { } chunk, Choice: { } other })
        {
            return Outcome.Fail($"the streamed tool call finished with {Json.Show(other["finish_reason"])}", streamed, "finish_reason \"tool_calls\"", $"finish_reason {Json.Show(other["finish_reason"])}", StreamView.Frame(chunk));
        }

        return Outcome.Pass("\"tool_calls\", streamed and not");
    }

    private static async Task<Outcome> StreamDeltas(CheckContext ctx)
    {
        var (deltas, ex, problem) = await StreamedCalls(ctx);
        if (deltas is null)
        {
            return problem!;
        }

        var seenIds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var call in deltas.GroupBy(d => d.Index))
        {
            var fragments = call.ToList();
            var first = fragments[0].Entry;
            var id = Json.Str(first["id"]);
            var issues = new List<string>();
            if (id is not { Length: > 0 })
            {
                issues.Add($"its first fragment has id {Json.Show(first["id"])}, not a non-empty string");
            }
            else if (seenIds.TryGetValue(id, out var owner))
            {
                issues.Add($"its id {Json.Quote(id)} is already call #{owner.ToString(CultureInfo.InvariantCulture)}'s");
            }
            else
            {
                seenIds[id] = call.Key;
            }

            if (Json.Str(first["function"]?["name"]) != FunctionName)
            {
                issues.Add($"its first fragment has function.name {Json.Show(first["function"]?["name"])}, not \"{FunctionName}\"");
            }

            if (Json.Str(first["type"]) != "function")
            {
                issues.Add($"its first fragment has type {Json.Show(first["type"])}, not \"function\"");
            }

            // Clients append every later fragment's name and id as they come (the OpenAI SDKs' accumulators): a repeat doubles them.
            foreach (var (chunk, _, entry) in fragments.Skip(1))
            {
                if (Json.Has(entry, "id") || Json.Has(entry["function"], "name"))
                {
                    issues.Add($"a later fragment ({StreamView.Frame(chunk).Split('\n')[0]}) repeats {(Json.Has(entry, "id") ? "id" : "function.name")}");
                    break;
                }

                if (Json.Has(entry, "type") && Json.Str(entry["type"]) != "function")
                {
                    issues.Add($"a later fragment has type {Json.Show(entry["type"])}");
                    break;
                }
            }

            if (issues.Count > 0)
            {
                return Outcome.Fail($"tool call #{call.Key.ToString(CultureInfo.InvariantCulture)}: {string.Join("; ", issues)}", ex, "id, type and function.name on a call's first fragment only",
                    Exchange.Excerpt(Json.Show(first), 200), string.Join("\n", fragments.Select(f => StreamView.Frame(f.Chunk)).Take(4)));
            }
        }

        var count = deltas.Select(d => d.Index).Distinct().Count();
        return Outcome.Pass(string.Create(CultureInfo.InvariantCulture, $"{count} call(s) in {deltas.Count} fragment(s), each id and name once"));
    }

    private static async Task<Outcome> StreamArguments(CheckContext ctx)
    {
        var (deltas, ex, problem) = await StreamedCalls(ctx);
        if (deltas is null)
        {
            return problem!;
        }

        foreach (var call in deltas.GroupBy(d => d.Index))
        {
            var text = new System.Text.StringBuilder();
            foreach (var (chunk, _, entry) in call)
            {
                var fragment = entry["function"]?["arguments"];
                if (Json.Kind(fragment) is JsonValueKind.Null)
                {
                    continue;
                }

                if (Json.Str(fragment) is not { } piece)
                {
                    return Outcome.Fail($"tool call #{call.Key.ToString(CultureInfo.InvariantCulture)}: an arguments fragment is {Json.Kind(fragment)}, not a string", ex, "function.arguments fragments that are strings", Json.Show(fragment), StreamView.Frame(chunk));
                }

                text.Append(piece);
            }

            if (await ArgumentsProblem(text.ToString()) is { } bad)
            {
                return Outcome.Fail($"tool call #{call.Key.ToString(CultureInfo.InvariantCulture)}: the concatenated arguments {bad}", ex, "fragments that concatenate to JSON valid against the tool's schema", Exchange.Excerpt(Json.Quote(text.ToString()), 300),
                    string.Join("\n", call.Select(f => StreamView.Frame(f.Chunk)).Take(6)));
            }
        }

        return Outcome.Pass(string.Create(CultureInfo.InvariantCulture, $"{deltas.Select(d => d.Index).Distinct().Count()} call(s): arguments valid JSON against the schema"));
    }

    private static async Task<Outcome> OneFinish(CheckContext ctx)
    {
        var ex = await Stream(ctx);
        var (view, problem) = StreamView.From(ex, kind: ChunkKind.Chat);
        if (view is null)
        {
            return problem!;
        }

        var choices = view.ByChoice.ToList();
        if (choices.Count == 0)
        {
            return Outcome.Fail("nothing to judge: the tool-call stream carried no choice", ex, "chunks with choices", $"{view.Chunks.Count} JSON chunk(s), none with choices", Exchange.Excerpt(ex.BodyText, 400));
        }

        foreach (var choice in choices)
        {
            var entries = choice.ToList();
            var finishAt = entries.FindIndex(x => Json.Kind(x.Choice["finish_reason"]) != JsonValueKind.Null);
            var which = $"choice {choice.Key.ToString(CultureInfo.InvariantCulture)}";
            if (finishAt < 0)
            {
                return Outcome.Fail($"{which} never finished", ex, "exactly one finish_reason per choice", "none", Exchange.Excerpt(ex.BodyText, 600));
            }

            if (entries.Count > finishAt + 1)
            {
                var after = entries[finishAt + 1];
                var again = Json.Kind(after.Choice["finish_reason"]) != JsonValueKind.Null;
                return Outcome.Fail($"{which} {(again ? "finished again" : "went on")} after its finish_reason", ex, "nothing for a choice after its finish", Exchange.Excerpt(Json.Show(after.Choice), 200),
                    StreamView.Frame(entries[finishAt].Chunk) + "\n" + StreamView.Frame(after.Chunk));
            }
        }

        return Outcome.Pass(string.Create(CultureInfo.InvariantCulture, $"{choices.Count} choice(s), one finish each"));
    }

    /// <summary>The first tool call of a non-streamed answer, or why there is none to judge.</summary>
    private static (JsonObject? Call, Outcome? Problem) FirstCall(Exchange ex)
    {
        var (body, problem) = CompletionChecks.Success(ex);
        if (body is null)
        {
            return (null, problem);
        }

        var message = Probes.FirstChoice(body)?["message"];
        return (message?["tool_calls"] as JsonArray) is { Count: > 0 } calls && calls[0] is JsonObject call
            ? (call, null)
            : (null, Outcome.Fail("the named tool_choice was not answered with a tool call", ex, "choices[0].message.tool_calls[0]", $"message = {Exchange.Excerpt(Json.Show(message), 300)}"));
    }

    /// <summary>Every <c>delta.tool_calls</c> entry of the streamed probe in arrival order, or why there is none to judge.</summary>
    private static async Task<(List<(Chunk Chunk, long Index, JsonObject Entry)>? Deltas, Exchange Exchange, Outcome? Problem)> StreamedCalls(CheckContext ctx)
    {
        var ex = await Stream(ctx);
        var (view, problem) = StreamView.From(ex, kind: ChunkKind.Chat);
        if (view is null)
        {
            return (null, ex, problem);
        }

        var deltas = new List<(Chunk, long, JsonObject)>();
        foreach (var (chunk, choice) in view.ByChoice.SelectMany(g => g))
        {
            if (choice["delta"]?["tool_calls"] is not JsonArray calls)
            {
                continue;
            }

            foreach (var node in calls)
            {
                if (node is not JsonObject entry || Json.Int(entry["index"]) is not { } index || index < 0)
                {
                    return (null, ex, Outcome.Fail("a delta.tool_calls entry has no integer `index`", ex, "delta.tool_calls[].index, an integer >= 0", Exchange.Excerpt(Json.Show(node), 200), StreamView.Frame(chunk)));
                }

                deltas.Add((chunk, index, entry));
            }
        }

        return deltas.Count > 0
            ? (deltas, ex, null)
            : (null, ex, Outcome.Fail("nothing to judge: the stream carried no delta.tool_calls for the named tool_choice", ex, "delta.tool_calls fragments", $"{view.Chunks.Count} JSON chunk(s) without tool_calls", Exchange.Excerpt(ex.BodyText, 600)));
    }

    /// <summary>Why <paramref name="arguments"/> is not a JSON object valid against <see cref="Parameters"/>, or null.</summary>
    private static async Task<string?> ArgumentsProblem(string arguments)
    {
        if (Json.TryParse(arguments) is not JsonObject)
        {
            return $"{Exchange.Excerpt(Json.Quote(arguments), 120)} is not a JSON object";
        }

        return SchemaChecks.FirstError(await ArgumentsSchema.Value, arguments) is { } error
            ? $"break the tool's parameter schema at {error}"
            : null;
    }
}
