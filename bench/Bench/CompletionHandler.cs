using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Bench;

/// <summary>
/// <c>POST /v1/completions</c> for the baseline: parse the body, take the first <c>max_tokens</c> tokens of the
/// matching list, and serialize a response (JSON, or one flushed <c>data: {json}\n\n</c> frame per token, then
/// the usage chunk if asked and <c>data: [DONE]</c>). Every response is serialized afresh; nothing is replayed.
/// </summary>
internal sealed class CompletionHandler(TokenTable table, TimeProvider time)
{
    private long _counter;

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var request = await BareBody.ReadAsync(context.Request.BodyReader, BareJson.Context.BareRequest, aborted).ConfigureAwait(false);
        var tokens = request is null ? null : table.Find(request.Model, request.Prompt);
        if (request is null || tokens is null || !TokenTable.Roots.TryGetValue(request.Model, out var root))
        {
            context.Response.StatusCode = 400;
            return;
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"cmpl-{(ulong)Interlocked.Increment(ref _counter):x16}");
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var count = Math.Min(request.MaxTokens, tokens.Length);
        var finish = request.MaxTokens <= tokens.Length ? "length" : "stop";
        var usage = new BareUsage { PromptTokens = TokenTable.CountPromptTokens(request.Prompt), CompletionTokens = count };

        if (request.Stream)
        {
            await StreamAsync(context, id, created, root, tokens, count, finish, request.StreamOptions?.IncludeUsage == true ? usage : null, aborted).ConfigureAwait(false);
            return;
        }

        var response = new BareResponse
        {
            Id = id,
            Created = created,
            Model = root,
            Choices = [new BareChoice { Index = 0, Text = string.Concat(tokens.AsSpan(0, count)), FinishReason = finish }],
            Usage = usage,
        };
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, BareJson.WriterOptions))
        {
            JsonSerializer.Serialize(writer, response, BareJson.Context.BareResponse);
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, aborted).ConfigureAwait(false);
    }

    private static async Task StreamAsync(
        HttpContext context, string id, long created, string root, string[] tokens, int count, string finish, BareUsage? usage, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var pipe = response.BodyWriter;
        using var json = new Utf8JsonWriter(pipe, BareJson.WriterOptions);
        var choice = new BareChunkChoice();
        var chunk = new BareChunk { Id = id, Created = created, Model = root, Choices = [choice] };
        for (var i = 0; i < count; i++)
        {
            choice.Text = tokens[i];
            choice.FinishReason = i == count - 1 ? finish : null;
            await WriteFrameAsync(pipe, json, chunk, cancellationToken).ConfigureAwait(false);
        }

        if (usage is not null)
        {
            chunk.Choices = [];
            chunk.Usage = usage;
            await WriteFrameAsync(pipe, json, chunk, cancellationToken).ConfigureAwait(false);
        }

        pipe.Write("data: [DONE]\n\n"u8);
        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static ValueTask<FlushResult> WriteFrameAsync(PipeWriter pipe, Utf8JsonWriter json, BareChunk chunk, CancellationToken cancellationToken)
    {
        pipe.Write("data: "u8);
        json.Reset(pipe);
        JsonSerializer.Serialize(json, chunk, BareJson.Context.BareChunk);
        json.Flush();
        pipe.Write("\n\n"u8);
        return pipe.FlushAsync(cancellationToken);
    }
}
