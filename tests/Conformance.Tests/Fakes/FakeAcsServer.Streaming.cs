using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>The event stream of a completion and its framing violations.</summary>
public sealed partial class FakeAcsServer
{
    /// <summary>A mid-stream error event in the provider's envelope (spec-facts §4.6, §6.1), without its SSE terminator.</summary>
    public const string ShapedErrorEvent = "data: {\"error\":{\"message\":\"The model was evicted.\",\"type\":\"server_error\",\"param\":null,\"code\":\"model_evicted\"}}";

    private async Task StreamAsync(HttpContext ctx, Request request, Generation g)
    {
        var abort = ctx.RequestAborted;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = Has(Violation.StreamContentTypeJson) ? "application/json" : "text/event-stream; charset=utf-8";
        var nl = _options.NewLine;
        var id = Id(_requests + 1000);

        async Task WriteAsync(string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            var size = _options.WriteSize <= 0 ? bytes.Length : _options.WriteSize;
            for (var i = 0; i < bytes.Length; i += size)
            {
                await ctx.Response.Body.WriteAsync(bytes.AsMemory(i, Math.Min(size, bytes.Length - i)), abort);
                await ctx.Response.Body.FlushAsync(abort);
            }
        }

        async Task EventAsync(string data)
        {
            if (_options.Comments)
            {
                await WriteAsync(": keep-alive" + nl);
            }

            var field = Has(Violation.StreamEventField) ? "event: completion" + nl : string.Empty;
            await WriteAsync(field + "data: " + data + nl + nl);
        }

        if (Has(Violation.StreamEventOnlyBlock))
        {
            await WriteAsync("event: keepalive" + nl + nl);
        }

        if (Has(Violation.StreamErrorFieldBlock))
        {
            // llama.cpp's legacy mid-stream error (spec-facts §8, §9 Q14): a block with no data fires no event.
            await WriteAsync("error: {\"message\":\"boom\"}" + nl + nl);
        }

        if (Has(Violation.StreamNonJsonEvent))
        {
            await EventAsync("ping");
        }

        // Echo puts the prompt on the first chunk; this fake streams only without echo, like every stream probe.
        var offset = 0;
        for (var i = 0; i < g.Tokens.Count; i++)
        {
            var token = g.Tokens[i];
            var last = i == g.Tokens.Count - 1;
            var text = last ? g.Text[Math.Min(offset, g.Text.Length)..] : token.Text;
            if (i == 0 && Has(Violation.StreamTextDiffers))
            {
                text = "X" + text;
            }

            var separateFinish = last && Has(Violation.StreamSeparateEmptyFinishChunk);
            JsonNode? finish = last && !separateFinish && !Has(Violation.StreamNoFinishReason) ? g.FinishReason : Has(Violation.StreamIntermediateEmptyFinish) ? string.Empty : null;
            var choice = new JsonObject
            {
                ["index"] = 0,
                ["text"] = text,
                ["logprobs"] = request.Logprobs is { } k && !Has(Violation.StreamLogprobsNull) ? Logprobs([token], offset, false, k) : null,
                ["finish_reason"] = finish,
            };
            if (!Has(Violation.StreamChunkMissingStopReason))
            {
                choice["stop_reason"] = last && !separateFinish ? g.StopReason : null;
            }

            offset += token.Text.EnumerateRunes().Count();
            await EventAsync(Chunk(id, i, new JsonArray(choice), usage: false, null).ToJsonString());
            if (i == 0 && (_options.StreamErrorTail ?? (Has(Violation.StreamErrorEventWithoutDone) ? ShapedErrorEvent + nl + nl : null)) is { } tail)
            {
                // The server failed after its 200: the rest of the stream is what it says about that (spec-facts §4.6).
                await WriteAsync(tail);
                return;
            }

            if (separateFinish)
            {
                var empty = new JsonObject { ["index"] = 0, ["text"] = string.Empty, ["logprobs"] = null, ["finish_reason"] = g.FinishReason, ["stop_reason"] = g.StopReason };
                await EventAsync(Chunk(id, i + 1, new JsonArray(empty), usage: false, null).ToJsonString());
            }
        }

        if (Has(Violation.StreamContentAfterFinish))
        {
            var extra = new JsonObject { ["index"] = 0, ["text"] = " more", ["logprobs"] = null, ["finish_reason"] = null, ["stop_reason"] = null };
            await EventAsync(Chunk(id, g.Tokens.Count, new JsonArray(extra), usage: false, null).ToJsonString());
        }

        var wantUsage = (request.IncludeUsage || Has(Violation.StreamUsageAlways)) && !Has(Violation.StreamNoUsageChunk);
        if (wantUsage)
        {
            var completion = g.Tokens.Count + (Has(Violation.StreamUsageCompletionOff) ? 1 : 0);
            JsonArray choices = Has(Violation.StreamUsageChoicesNotEmpty) ? [new JsonObject { ["index"] = 0, ["text"] = string.Empty }] : [];
            var usageChunk = Chunk(id, g.Tokens.Count + 1, choices, usage: true, Usage(PromptCount(g), completion, Has(Violation.StreamUsageTotalOff) ? 1 : 0)).ToJsonString();
            await EventAsync(usageChunk);
            if (Has(Violation.StreamUsageNotLast))
            {
                // A trailing chunk after the usage chunk; one without choices, so no content rule is touched.
                await EventAsync(Chunk(id, g.Tokens.Count + 2, [], usage: false, null).ToJsonString());
            }
        }

        if (!Has(Violation.StreamNoDone))
        {
            await WriteAsync("data: [DONE]" + nl + (Has(Violation.StreamDoneWithoutBlankLine) ? string.Empty : nl));
        }

        if (Has(Violation.StreamGarbageAfterDone))
        {
            await WriteAsync("data: trailing");
        }

        if (Has(Violation.StreamFieldBlocksAfterDone))
        {
            await WriteAsync("error: {\"message\":\"boom\"}" + nl + nl + "event: x" + nl + nl + "retry: 5" + nl + nl);
        }

        if (Has(Violation.StreamDataAfterDone))
        {
            await EventAsync(Chunk(id, 99, [], usage: false, null).ToJsonString());
        }
    }

    private JsonObject Chunk(string id, int sequence, JsonArray choices, bool usage, JsonObject? usageValue)
    {
        var chunk = new JsonObject
        {
            ["id"] = id,
            ["object"] = "text_completion",
            ["created"] = Created + (Has(Violation.StreamCreatedTicks) ? sequence : 0),
            ["model"] = Root,
            ["choices"] = choices,
        };
        if (Has(Violation.StreamChunkMissingIdentity))
        {
            chunk.Remove("id");
            chunk.Remove("created");
            chunk.Remove("model");
        }

        if (usage || !Has(Violation.StreamContentUsageOmitted))
        {
            chunk["usage"] = usageValue;
        }

        if (Has(Violation.StreamChunkExtraKey))
        {
            chunk["system_fingerprint"] = null;
        }

        return chunk;
    }
}
