using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// Bad chat input must be refused before any generation, judged by the completions rules (<see cref="ValidationChecks"/>):
/// the same envelope, status, <c>param</c> and pinned codes as the profile requires, and the same boolean rule (a refusal
/// must be about the type). Only the requests differ: the minimal chat body, changed one way each.
/// </summary>
internal static class ChatValidationChecks
{
    /// <summary>The numeric chat parameters that must refuse JSON booleans (issue 7 "Mock", spec-facts §1.1, §3.3).</summary>
    public static readonly IReadOnlyList<string> NumericParameters =
    [
        "max_tokens", "max_completion_tokens", "n", "seed", "temperature", "top_p", "top_k", "min_p",
        "presence_penalty", "frequency_penalty", "repetition_penalty", "top_logprobs",
    ];

    private const string Spec = "spec-facts §1.1, §10 item 2, §11.1 (chat), §12.1";
    private const string MessagesSpec = "spec-facts §5 notes; OAS CreateChatCompletionRequest.messages";

    public static IEnumerable<CheckDefinition> All()
    {
        yield return Case(
            "chat.validation.unknown-parameter", "An unknown chat parameter is refused and named", "spec-facts §1.1, §9 Q1, §10 item 1",
            b => b["max_tokenz"] = 4, 400, "max_tokenz", "unknown_parameter");

        foreach (var name in NumericParameters)
        {
            foreach (var value in new[] { true, false })
            {
                var id = $"chat.validation.boolean.{name}.{(value ? "true" : "false")}";
                yield return new(
                    id, $"Chat `{name}: {(value ? "true" : "false")}` is refused as the wrong type", Spec,
                    async ctx => await ctx.ChatUnavailable() is { } na ? na
                        : await ValidationChecks.BooleanRefused(ctx, id, name, value, (mutate, again) => Body(ctx, b =>
                        {
                            Prepare(b, name);
                            mutate(b);
                        }, again)));
            }
        }

        // Chat logprobs is a boolean (spec-facts §3.3): an integer is the old completions habit and must be refused.
        yield return Case(
            "chat.validation.logprobs.integer", "Chat `logprobs: 1` (an integer, not a boolean) is refused", "spec-facts §3.3, §1.1",
            b => b["logprobs"] = 1, 400, "logprobs", "invalid_type");
        yield return Case(
            "chat.validation.top-logprobs.without-logprobs", "`top_logprobs` without `logprobs: true` is refused", "spec-facts §3.3",
            b => b["top_logprobs"] = 2, 400, "top_logprobs", null);

        yield return Case(
            "chat.validation.messages.missing", "A chat request without `messages` is refused", MessagesSpec,
            b => b.Remove("messages"), 400, "messages", null);
        yield return Case(
            "chat.validation.messages.empty", "An empty `messages` array is refused", MessagesSpec + " (minItems 1)",
            b => b["messages"] = new JsonArray(), 400, "messages", null);
        yield return Case(
            "chat.validation.messages.not-array", "`messages` that is not an array is refused", MessagesSpec,
            b => b["messages"] = "Hi", 400, "messages", null);
        yield return Case(
            "chat.validation.messages.unknown-role", "A message with an unknown role is refused, pointing into the array", MessagesSpec,
            b => b["messages"] = new JsonArray(new JsonObject { ["role"] = "wizard", ["content"] = "Hi" }), 400, "messages[0].role", null);
        yield return Case(
            "chat.validation.messages.unknown-content-part", "A content part of an unknown type is refused, pointing into the array", MessagesSpec,
            b => b["messages"] = new JsonArray(new JsonObject
            {
                ["role"] = "user",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "hologram", ["text"] = "Hi" }),
            }),
            400, "messages[0].content[0].type", null);
        yield return Case(
            "chat.validation.messages.tool-without-call-id", "A `tool` message without `tool_call_id` is refused, pointing into the array", MessagesSpec,
            b => b["messages"] = ToolTurn(callId: "call_1", answerCallId: null), 400, "messages[2].tool_call_id", null);
        yield return Case(
            "chat.validation.messages.tool-call-without-id", "An assistant `tool_calls` entry without `id` is refused, pointing into the array", MessagesSpec,
            b => b["messages"] = ToolTurn(callId: null, answerCallId: "call_1"), 400, "messages[1].tool_calls[0].id", null);
    }

    /// <summary>
    /// Sends the minimal chat body changed by <paramref name="mutate"/>; the body names the probe, so equal bodies are
    /// sent once (<paramref name="again"/> sends it a second time under another name). A body whose token limit is not a
    /// positive integer might make a lenient server generate until its context is full (spec-facts §12.1), so it is
    /// streamed and abandoned after <see cref="ValidationChecks.BoundedProbeEvents"/> events, as completions probes are.
    /// </summary>
    internal static Task<Exchange> Body(CheckContext ctx, Action<JsonObject> mutate, bool again = false)
    {
        var body = ctx.MinimalChatBody();
        mutate(body);

        // max_completion_tokens wins over max_tokens where both are sent (OAS); either way the one in force must be positive.
        var limit = body.ContainsKey("max_completion_tokens") ? body["max_completion_tokens"] : body["max_tokens"];
        if (Json.Int(limit) is not > 0 && !body.ContainsKey("stream"))
        {
            body["stream"] = true;
        }

        var stream = Json.Kind(body["stream"]) == JsonValueKind.True;
        return ctx.Chat((again ? "chat.validation-again:" : "chat.validation:") + body.ToJsonString(), body, stream, abandonAfterEvents: stream ? ValidationChecks.BoundedProbeEvents : 0);
    }

    /// <summary>
    /// What a boolean probe needs besides the boolean, so that nothing but its type can be refused: <c>top_logprobs</c>
    /// only with <c>logprobs: true</c> (spec-facts §3.3), and <c>max_completion_tokens</c> alone, since it replaces
    /// <c>max_tokens</c> (a server may refuse both together).
    /// </summary>
    private static void Prepare(JsonObject body, string name)
    {
        switch (name)
        {
            case "top_logprobs":
                body["logprobs"] = true;
                break;
            case "max_completion_tokens":
                body.Remove("max_tokens");
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// A user turn, an assistant turn that called a tool, and the tool's answer. A null <paramref name="callId"/> leaves
    /// the call without its <c>id</c>; a null <paramref name="answerCallId"/> leaves the answer without <c>tool_call_id</c>.
    /// </summary>
    private static JsonArray ToolTurn(string? callId, string? answerCallId)
    {
        var call = new JsonObject
        {
            ["type"] = "function",
            ["function"] = new JsonObject { ["name"] = ChatToolChecks.FunctionName, ["arguments"] = "{\"city\":\"Paris\",\"days\":3}" },
        };
        if (callId is not null)
        {
            call["id"] = callId;
        }

        var answer = new JsonObject { ["role"] = "tool", ["content"] = "sunny" };
        if (answerCallId is not null)
        {
            answer["tool_call_id"] = answerCallId;
        }

        return
        [
            new JsonObject { ["role"] = "user", ["content"] = "What is the weather in Paris?" },
            new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call) },
            answer,
        ];
    }

    /// <summary>A check that sends one bad chat body and expects the error <see cref="ValidationChecks.ExpectError"/> judges.</summary>
    private static CheckDefinition Case(string id, string title, string spec, Action<JsonObject> mutate, int status, string? param, string? code) =>
        new(id, title, spec, async ctx => await ctx.ChatUnavailable() is { } na
            ? na
            : ValidationChecks.ExpectError(ctx, id, await Body(ctx, mutate), status, param, code));
}
