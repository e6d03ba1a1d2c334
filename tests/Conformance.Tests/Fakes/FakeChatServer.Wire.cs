using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>The chat wire of each dialect: the non-streamed chat.completion and the chunk stream, and their violations.</summary>
public sealed partial class FakeChatServer
{
    private bool RefusalInLogprobs => _options.Dialect is ChatDialect.OpenAi or ChatDialect.Llmbase && !Has(ChatViolation.LogprobsRefusalOmitted);

    private string Id(int number) =>
        (Has(ChatViolation.IdWithoutPrefix) ? "chat-" : "chatcmpl-") + number.ToString("x16", CultureInfo.InvariantCulture);

    private JsonObject Usage(ChatCall call, int completion, bool streamed)
    {
        if (streamed && Has(ChatViolation.StreamUsageCompletionOff))
        {
            completion++;
        }

        if (!streamed && Has(ChatViolation.LengthCompletionTokensOff))
        {
            completion++;
        }

        var skew = (streamed && Has(ChatViolation.StreamUsageTotalOff)) || (!streamed && Has(ChatViolation.UsageTotalOff)) ? 1 : 0;
        return new() { ["prompt_tokens"] = call.PromptTokens, ["completion_tokens"] = completion, ["total_tokens"] = call.PromptTokens + completion + skew };
    }

    /// <summary>A chat logprobs object over <paramref name="tokens"/> (spec-facts §3.3).</summary>
    private JsonObject Logprobs(IEnumerable<Token> tokens, int k)
    {
        var content = new JsonArray();
        foreach (var t in tokens)
        {
            var top = new JsonArray();
            var entries = t.Top.Take(Has(ChatViolation.LogprobsTopSingle) ? 1 : k).ToList();
            if (Has(ChatViolation.LogprobsTopTooMany))
            {
                entries.Add(("<extra>", -20));
            }

            if (Has(ChatViolation.LogprobsTopUnsorted) && entries.Count > 1)
            {
                entries.Reverse();
            }

            foreach (var (text, value) in entries)
            {
                top.Add(Entry(text, value));
            }

            var entry = Entry(t.Text, Has(ChatViolation.LogprobsPositive) ? 0.5 : t.Logprob);
            if (Has(ChatViolation.LogprobsBytesWrong))
            {
                entry["bytes"] = new JsonArray(Encoding.UTF8.GetBytes(t.Text + " ").Select(b => (JsonNode)(int)b).ToArray()); // one byte too many
            }

            entry["top_logprobs"] = top;
            content.Add(entry);
        }

        var logprobs = new JsonObject { ["content"] = content };
        if (RefusalInLogprobs)
        {
            logprobs["refusal"] = null;
        }

        return logprobs;

        JsonObject Entry(string text, double logprob) => new()
        {
            ["token"] = text,
            ["logprob"] = logprob,
            ["bytes"] = Has(ChatViolation.LogprobsBytesNull) ? null : new JsonArray(Encoding.UTF8.GetBytes(text).Select(b => (JsonNode)(int)b).ToArray()),
        };
    }

    private JsonObject NonStreamed(ChatCall call, List<Token> tokens, int number)
    {
        var message = new JsonObject { ["role"] = "assistant", ["content"] = string.Concat(tokens.Select(t => t.Text)) };
        if (_options.Dialect != ChatDialect.LlamaCpp && !Has(ChatViolation.MessageRefusalOmitted))
        {
            message["refusal"] = null;
        }

        if (_options.Dialect == ChatDialect.Vllm)
        {
            message["tool_calls"] = new JsonArray(); // spec-facts §5 notes
        }

        if (Has(ChatViolation.ToolCallsNull))
        {
            message["tool_calls"] = null;
        }

        var choice = new JsonObject
        {
            ["index"] = 0,
            ["message"] = message,
            ["logprobs"] = call.TopLogprobs is { } k ? Logprobs(tokens, k) : null,
            ["finish_reason"] = Has(ChatViolation.FinishEos) ? "eos" : Finish(call, tokens),
        };
        return new JsonObject
        {
            ["id"] = Id(number),
            ["object"] = Has(ChatViolation.ResponseObjectWrong) ? "chat.completion.chunk" : "chat.completion",
            ["created"] = Created,
            ["model"] = call.Model,
            ["choices"] = new JsonArray(choice),
            ["usage"] = Usage(call, tokens.Count, streamed: false),
        };
    }

    private async Task StreamAsync(HttpContext ctx, ChatCall call, List<Token> tokens, int number)
    {
        var abort = ctx.RequestAborted;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = Has(ChatViolation.StreamContentTypeJson) ? "application/json" : "text/event-stream; charset=utf-8";
        var dialect = _options.Dialect;
        var id = Has(ChatViolation.StreamIdWithoutPrefix) ? "chat-" + number.ToString("x16", CultureInfo.InvariantCulture) : Id(number);
        var sequence = 0;

        // OpenAI puts "usage": null on every other chunk when usage was asked for (spec-facts §4.4); the others omit the key.
        var usageNull = dialect == ChatDialect.OpenAi && call.IncludeUsage && !Has(ChatViolation.UsageNullOmitted);

        Task WriteAsync(string text) => ctx.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(text), abort).AsTask();

        async Task EventAsync(JsonObject chunk)
        {
            var field = Has(ChatViolation.StreamEventField) ? "event: chunk\n" : string.Empty;
            await WriteAsync(field + "data: " + chunk.ToJsonString() + "\n\n");
            await ctx.Response.Body.FlushAsync(abort);
        }

        JsonObject Chunk(JsonArray choices, JsonObject? usage = null)
        {
            var chunk = new JsonObject
            {
                ["id"] = id,
                ["object"] = Has(ChatViolation.ChunkObjectWrong) ? "chat.completion" : "chat.completion.chunk",
                ["created"] = Created + (Has(ChatViolation.CreatedTicks) ? sequence : 0),
                ["model"] = call.Model,
                ["choices"] = choices,
            };
            sequence++;
            if (dialect == ChatDialect.LlamaCpp)
            {
                chunk["system_fingerprint"] = "b10587"; // spec-facts §12.2
            }

            if (usage is not null)
            {
                chunk["usage"] = usage;
            }
            else if (usageNull)
            {
                chunk["usage"] = null;
            }

            return chunk;
        }

        JsonObject Choice(JsonObject delta, string? finish, JsonObject? logprobs = null)
        {
            var choice = new JsonObject { ["index"] = 0, ["delta"] = delta };
            if (logprobs is not null || dialect is ChatDialect.OpenAi or ChatDialect.Vllm)
            {
                choice["logprobs"] = logprobs;
            }

            choice["finish_reason"] = finish ?? (Has(ChatViolation.IntermediateFinishEmpty) ? string.Empty : null);
            return choice;
        }

        if (Has(ChatViolation.StreamEventOnlyBlock))
        {
            await WriteAsync("event: keepalive\n\n");
        }

        if (Has(ChatViolation.StreamNonJsonEvent))
        {
            await WriteAsync("data: ping\n\n");
        }

        if (!Has(ChatViolation.RoleChunkMissing))
        {
            var role = new JsonObject { ["role"] = "assistant" };
            if (Has(ChatViolation.RoleChunkContentNull) || dialect == ChatDialect.LlamaCpp)
            {
                role["content"] = null;
            }
            else if (dialect is ChatDialect.OpenAi or ChatDialect.Vllm)
            {
                role["content"] = string.Empty;
            }

            await EventAsync(Chunk([Choice(role, null)]));
        }

        var finish = Has(ChatViolation.StreamFinishEos) ? "eos" : Finish(call, tokens);
        var combined = dialect == ChatDialect.Vllm || Has(ChatViolation.FinishWithLastContent);
        for (var i = 0; i < tokens.Count; i++)
        {
            var last = i == tokens.Count - 1;
            var text = i == 0 && Has(ChatViolation.StreamContentDiffers) ? "X" + tokens[i].Text : tokens[i].Text;
            var delta = new JsonObject { ["content"] = text };
            if (Has(ChatViolation.DeltaUnknownKey))
            {
                delta["text"] = text; // a completions key in a chat delta
            }

            var logprobs = call.TopLogprobs is { } k && !Has(ChatViolation.StreamLogprobsMissing) ? Logprobs([tokens[i]], k) : null;
            await EventAsync(Chunk([Choice(delta, last && combined ? finish : null, logprobs)]));
        }

        if (!combined)
        {
            // The seed provider's final chunk carries the usage of every stream (spec-facts §13).
            var usage = dialect == ChatDialect.Llmbase && !Has(ChatViolation.NoUsageChunk) ? Usage(call, tokens.Count, streamed: true) : null;
            await EventAsync(Chunk([Choice([], finish)], usage));
        }

        if (Has(ChatViolation.FinishTwice))
        {
            await EventAsync(Chunk([Choice([], finish)]));
        }

        if (Has(ChatViolation.ContentAfterFinish))
        {
            await EventAsync(Chunk([Choice(new JsonObject { ["content"] = " more" }, null)]));
        }

        var usageChunk = dialect != ChatDialect.Llmbase && (call.IncludeUsage || Has(ChatViolation.UsageAlways)) && !Has(ChatViolation.NoUsageChunk);
        if (usageChunk)
        {
            await EventAsync(Chunk([], Usage(call, tokens.Count, streamed: true)));
            if (Has(ChatViolation.UsageNotLast))
            {
                await EventAsync(Chunk([]));
            }
        }

        if (!Has(ChatViolation.StreamNoDone))
        {
            await WriteAsync("data: [DONE]\n" + (Has(ChatViolation.StreamDoneWithoutBlankLine) ? string.Empty : "\n"));
        }

        if (Has(ChatViolation.StreamDataAfterDone))
        {
            await EventAsync(Chunk([]));
        }

        await ctx.Response.Body.FlushAsync(abort);
    }
}
