using System.Text.Json;
using System.Text.Json.Nodes;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>How the strict chat fake breaks the tool-call probe.</summary>
public enum ToolFault
{
    None,

    /// <summary>The streamed <c>arguments</c> fragments concatenate to text that is not JSON (a brace is missing).</summary>
    ArgumentsNotJson,

    /// <summary>Every streamed fragment of the call repeats its <c>id</c>.</summary>
    RepeatedId,

    /// <summary>The call finishes with <c>stop</c>, streamed and not (vLLM's named tool choice, spec-facts §5).</summary>
    FinishStop,

    /// <summary>The non-streamed call's arguments give <c>days</c> as a string, against the tool's schema.</summary>
    ArgumentsAgainstSchema,

    /// <summary>The streamed choice sends one more (empty) delta after its finish chunk.</summary>
    DeltaAfterFinish,

    /// <summary>Every streamed choice carries the completions <c>text</c> instead of a chat <c>delta</c>: no chat chunk to judge.</summary>
    CompletionChunks,
}

/// <summary>What the strict chat fake does; the default follows OpenAI's chat validation and wire to the letter.</summary>
public sealed class StrictChatOptions
{
    /// <summary>Gets the rules turned off, by the id of the check that tests each (the request is then accepted).</summary>
    public HashSet<string> DisabledRules { get; } = new(StringComparer.Ordinal);

    /// <summary>Gets or sets a value indicating whether JSON booleans in numeric parameters (and integers in <c>logprobs</c>) are read as numbers, as pydantic's lax mode does (spec-facts §9 Q2).</summary>
    public bool Lax { get; set; }

    /// <summary>Gets or sets a value indicating whether unknown parameters are ignored (vLLM, llama.cpp; spec-facts §9 Q1).</summary>
    public bool IgnoreUnknown { get; set; }

    /// <summary>Gets or sets a value indicating whether every error carries <c>param: null</c> (OpenAI's older wording, spec-facts §1.1).</summary>
    public bool NoParam { get; set; }

    /// <summary>Gets or sets the stream shape: <c>openai</c> (spec-facts §5) or <c>llmbase</c> (§13).</summary>
    public string Dialect { get; set; } = "openai";

    public ToolFault ToolFault { get; set; }

    /// <summary>Gets or sets a value indicating whether non-streamed choices carry vLLM's <c>stop_reason</c>, a key the chat schema does not admit.</summary>
    public bool ExtraKeyInCompletion { get; set; }

    /// <summary>Gets or sets a value indicating whether streamed choices carry vLLM's <c>stop_reason</c>.</summary>
    public bool ExtraKeyInChunks { get; set; }
}

/// <summary>
/// A chat-only endpoint for the <c>chat.validation.*</c>, <c>chat.tools.*</c> and <c>chat.schema.*</c> checks, on
/// <see cref="TinyServer"/>: OpenAI's chat validation (each rule can be turned off by its check id), a one-word answer,
/// a scripted call for a named <c>tool_choice</c>, and the stream in the openai or llmbase shape. Written from the spec,
/// not from the MockServer, so the suite is not judged by the code it judges.
/// </summary>
internal static class StrictChatServer
{
    public const string Model = FakeAcsServer.Model;
    public const string CallId = "call_fake0001";
    public const string Arguments = "{\"city\":\"Paris\",\"days\":3}";

    private const long Created = 1_741_000_000;
    private const string Id = "chatcmpl-fake0001";

    private static readonly HashSet<string> Known =
    [
        "model", "messages", "max_tokens", "max_completion_tokens", "n", "seed", "temperature", "top_p", "top_k", "min_p",
        "presence_penalty", "frequency_penalty", "repetition_penalty", "logprobs", "top_logprobs", "stream", "stream_options",
        "tools", "tool_choice", "stop", "user", "response_format", "parallel_tool_calls", "prompt_cache_key",
    ];

    private static readonly HashSet<string> Roles = ["system", "developer", "user", "assistant", "tool"];

    private static readonly string[] Numeric =
    [
        "max_tokens", "max_completion_tokens", "n", "seed", "temperature", "top_p", "top_k", "min_p",
        "presence_penalty", "frequency_penalty", "repetition_penalty", "top_logprobs",
    ];

    /// <summary>Runs the checks selected by <paramref name="only"/> against a fresh fake under <paramref name="profile"/>.</summary>
    public static async Task<ConformanceReport> RunAsync(StrictChatOptions fake, string profile, bool toolProbe, params string[] only)
    {
        await using var server = await StartAsync(fake);
        var options = Suite.Options(server.BaseUrl, only);
        options.Profile = profile;
        options.ToolProbe = toolProbe;
        return await ConformanceRunner.RunAsync(options);
    }

    public static Task<TinyServer> StartAsync(StrictChatOptions? options = null)
    {
        options ??= new StrictChatOptions();
        return TinyServer.StartAsync(ctx => HandleAsync(ctx, options));
    }

    private static async Task HandleAsync(HttpContext ctx, StrictChatOptions options)
    {
        if (ctx.Request.Path == "/v1/models" && ctx.Request.Method == "GET")
        {
            // What the CLI's preflight reads to know the base URL is right.
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync($"{{\"object\":\"list\",\"data\":[{{\"id\":\"{Model}\",\"object\":\"model\",\"created\":{Created},\"owned_by\":\"fake\"}}]}}");
            return;
        }

        if (ctx.Request.Path != "/v1/chat/completions" || ctx.Request.Method != "POST")
        {
            await ErrorAsync(ctx, options, 404, "Unknown URL.", null, "unknown_url");
            return;
        }

        var body = await FakeRequests.JsonObjectAsync(ctx);

        if (body is null)
        {
            await ErrorAsync(ctx, options, 400, "The body is not a JSON object.", null, "invalid_json");
            return;
        }

        if (Validate(body, options) is { } error)
        {
            await ErrorAsync(ctx, options, 400, error.Message, error.Param, error.Code);
            return;
        }

        // A named tool_choice is answered with a call of that function (spec-facts §5), whatever the conversation says.
        var toolCall = Json.Str(body["tool_choice"]?["function"]?["name"]);
        if (Json.Kind(body["stream"]) == JsonValueKind.True)
        {
            await StreamAsync(ctx, body, options, toolCall);
        }
        else
        {
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(NonStreamed(options, toolCall).ToJsonString());
        }
    }

    private static (string Message, string? Param, string? Code)? Validate(JsonObject body, StrictChatOptions options)
    {
        bool On(string rule) => !options.DisabledRules.Contains(rule);

        foreach (var (key, _) in body)
        {
            if (!Known.Contains(key) && !options.IgnoreUnknown && On("chat.validation.unknown-parameter"))
            {
                return ($"Unknown parameter: '{key}'.", key, "unknown_parameter");
            }
        }

        foreach (var name in Numeric)
        {
            var kind = Json.Kind(body[name]);
            if (kind is JsonValueKind.True or JsonValueKind.False && !options.Lax && On($"chat.validation.boolean.{name}.{(kind == JsonValueKind.True ? "true" : "false")}"))
            {
                return ($"Invalid type for '{name}': expected a number, but got a boolean instead.", name, "invalid_type");
            }
        }

        var logprobs = Json.Kind(body["logprobs"]);
        if (logprobs == JsonValueKind.Number && !options.Lax && On("chat.validation.logprobs.integer"))
        {
            return ("Invalid type for 'logprobs': expected a boolean, but got an integer instead.", "logprobs", "invalid_type");
        }

        var logprobsOn = logprobs == JsonValueKind.True || (options.Lax && Json.Int(body["logprobs"]) is > 0);
        if (body["top_logprobs"] is not null && !logprobsOn && On("chat.validation.top-logprobs.without-logprobs"))
        {
            return ("'top_logprobs' requires 'logprobs' to be true.", "top_logprobs", "invalid_value");
        }

        return ValidateMessages(body, On);
    }

    private static (string Message, string? Param, string? Code)? ValidateMessages(JsonObject body, Func<string, bool> on)
    {
        if (!body.ContainsKey("messages"))
        {
            return on("chat.validation.messages.missing") ? ("Missing required parameter: 'messages'.", "messages", "missing_required_parameter") : null;
        }

        if (body["messages"] is not JsonArray messages)
        {
            return on("chat.validation.messages.not-array") ? ("Invalid type for 'messages': expected an array.", "messages", "invalid_type") : null;
        }

        if (messages.Count == 0 && on("chat.validation.messages.empty"))
        {
            return ("Invalid 'messages': empty array. Expected an array with minimum length 1.", "messages", "empty_array");
        }

        for (var i = 0; i < messages.Count; i++)
        {
            var message = messages[i];
            var role = Json.Str(message?["role"]);
            if ((role is null || !Roles.Contains(role)) && on("chat.validation.messages.unknown-role"))
            {
                return ($"Invalid value: '{role}'. Supported values are: 'system', 'developer', 'user', 'assistant' and 'tool'.", $"messages[{i}].role", "invalid_value");
            }

            if (message?["content"] is JsonArray parts)
            {
                for (var j = 0; j < parts.Count; j++)
                {
                    if (Json.Str(parts[j]?["type"]) is not ("text" or "image_url") && on("chat.validation.messages.unknown-content-part"))
                    {
                        return ($"Invalid value: '{Json.Str(parts[j]?["type"])}'. Supported values are: 'text' and 'image_url'.", $"messages[{i}].content[{j}].type", "invalid_value");
                    }
                }
            }

            if (role == "tool" && Json.Str(message?["tool_call_id"]) is null && on("chat.validation.messages.tool-without-call-id"))
            {
                return ($"Missing required parameter: 'messages[{i}].tool_call_id'.", $"messages[{i}].tool_call_id", "missing_required_parameter");
            }

            if (message?["tool_calls"] is JsonArray calls)
            {
                for (var j = 0; j < calls.Count; j++)
                {
                    if (Json.Str(calls[j]?["id"]) is null && on("chat.validation.messages.tool-call-without-id"))
                    {
                        return ($"Missing required parameter: 'messages[{i}].tool_calls[{j}].id'.", $"messages[{i}].tool_calls[{j}].id", "missing_required_parameter");
                    }
                }
            }
        }

        return null;
    }

    private static JsonObject NonStreamed(StrictChatOptions options, string? toolCall)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = toolCall is not null ? null : "Hello", ["refusal"] = null };
        if (toolCall is not null)
        {
            var arguments = options.ToolFault == ToolFault.ArgumentsAgainstSchema ? "{\"city\":\"Paris\",\"days\":\"3\"}" : Arguments;
            message["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = CallId,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = toolCall, ["arguments"] = arguments },
            });
        }

        var choice = new JsonObject
        {
            ["index"] = 0,
            ["message"] = message,
            ["logprobs"] = null,
            ["finish_reason"] = toolCall is null ? "stop" : options.ToolFault == ToolFault.FinishStop ? "stop" : "tool_calls",
        };
        if (options.ExtraKeyInCompletion)
        {
            choice["stop_reason"] = null;
        }

        return Envelope("chat.completion", choices: new JsonArray(choice), usage: Usage(toolCall is not null));
    }

    private static async Task StreamAsync(HttpContext ctx, JsonObject body, StrictChatOptions options, string? toolCall)
    {
        var llmbase = options.Dialect == "llmbase";
        var includeUsage = Json.Kind(body["stream_options"]?["include_usage"]) == JsonValueKind.True;
        var deltas = new List<JsonObject>
        {
            llmbase ? new JsonObject { ["role"] = "assistant" } : new JsonObject { ["role"] = "assistant", ["content"] = "" },
        };
        if (toolCall is not null)
        {
            string[] pieces = options.ToolFault == ToolFault.ArgumentsNotJson
                ? ["{\"city\":", "\"Paris\",", "\"days\":3"]
                : ["{\"city\":", "\"Paris\",", "\"days\":3}"];
            deltas.Add(Fragment(0, CallId, toolCall, ""));
            deltas.AddRange(pieces.Select(p => Fragment(0, options.ToolFault == ToolFault.RepeatedId ? CallId : null, null, p)));
        }
        else
        {
            deltas.Add(new JsonObject { ["content"] = "Hello" });
        }

        ctx.Response.ContentType = "text/event-stream";
        foreach (var delta in deltas)
        {
            await SendAsync(ctx, Chunk(options, delta, null, usage: null, includeUsage));
        }

        var finish = toolCall is null ? "stop" : options.ToolFault == ToolFault.FinishStop ? "stop" : "tool_calls";
        await SendAsync(ctx, Chunk(options, new JsonObject(), finish, llmbase ? Usage(toolCall is not null) : null, includeUsage || llmbase));
        if (options.ToolFault == ToolFault.DeltaAfterFinish)
        {
            await SendAsync(ctx, Chunk(options, new JsonObject { ["content"] = "" }, null, null, includeUsage));
        }

        if (includeUsage && !llmbase)
        {
            await SendAsync(ctx, Envelope("chat.completion.chunk", new JsonArray(), Usage(toolCall is not null)));
        }

        await ctx.Response.WriteAsync("data: [DONE]\n\n");
    }

    private static JsonObject Fragment(int index, string? id, string? name, string arguments)
    {
        var fragment = new JsonObject { ["index"] = index };
        var function = new JsonObject();
        if (id is not null)
        {
            fragment["id"] = id;
            fragment["type"] = "function";
        }

        if (name is not null)
        {
            function["name"] = name;
        }

        function["arguments"] = arguments;
        fragment["function"] = function;
        return new JsonObject { ["tool_calls"] = new JsonArray(fragment) };
    }

    /// <summary>A chunk: llmbase omits usage except on its final chunk; openai writes <c>usage: null</c> when include_usage is on.</summary>
    private static JsonObject Chunk(StrictChatOptions options, JsonObject delta, string? finish, JsonObject? usage, bool usageKey)
    {
        var choice = options.ToolFault == ToolFault.CompletionChunks
            ? new JsonObject { ["index"] = 0, ["text"] = Json.Str(delta["content"]) ?? string.Empty, ["finish_reason"] = finish }
            : new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = finish };
        if (options.ExtraKeyInChunks)
        {
            choice["stop_reason"] = null;
        }

        return Envelope("chat.completion.chunk", new JsonArray(choice), usage, usageKey || usage is not null);
    }

    private static JsonObject Envelope(string kind, JsonArray choices, JsonObject? usage, bool usageKey = true)
    {
        var envelope = new JsonObject { ["id"] = Id, ["object"] = kind, ["created"] = Created, ["model"] = Model, ["choices"] = choices };
        if (usageKey)
        {
            envelope["usage"] = usage;
        }

        return envelope;
    }

    private static JsonObject Usage(bool toolCall) =>
        toolCall
            ? new JsonObject { ["prompt_tokens"] = 60, ["completion_tokens"] = 12, ["total_tokens"] = 72 }
            : new JsonObject { ["prompt_tokens"] = 10, ["completion_tokens"] = 1, ["total_tokens"] = 11 };

    private static async Task SendAsync(HttpContext ctx, JsonObject chunk)
    {
        await ctx.Response.WriteAsync($"data: {chunk.ToJsonString()}\n\n");
        await ctx.Response.Body.FlushAsync();
    }

    private static async Task ErrorAsync(HttpContext ctx, StrictChatOptions options, int status, string message, string? param, string? code)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        var error = new JsonObject
        {
            ["message"] = message,
            ["type"] = "invalid_request_error",
            ["param"] = options.NoParam ? null : param,
            ["code"] = code,
        };
        await ctx.Response.WriteAsync(new JsonObject { ["error"] = error }.ToJsonString());
    }
}
