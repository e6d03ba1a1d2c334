using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;

namespace Bench;

/// <summary>
/// <c>POST /v1/chat/completions</c> for the baseline, streamed with <c>include_usage</c> only (the bench's chat80
/// request; anything else is a bare 400): parse the body,
/// take the first <c>max_tokens</c> tokens of the list for (model, last user message), and write the chunks of the
/// OpenAI chat dialect the mock serves that model in: a role chunk (<c>{"role":"assistant","content":""}</c>), one
/// content delta per token, a finish chunk with <c>delta: {}</c>, a <c>choices: []</c> usage chunk
/// (<c>usage: null</c> on the others), then <c>data: [DONE]</c>. Each chunk is
/// serialized afresh and flushed; nothing is replayed.
/// </summary>
internal sealed class ChatHandler(TokenTable table, TimeProvider time)
{
    private long _counter;

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var request = await BareBody.ReadAsync(context.Request.BodyReader, BareJson.Context.BareChatRequest, aborted).ConfigureAwait(false);
        var entry = request is null || LastUserContent(request.Messages) is not { } user ? null : table.FindChat(request.Model, user);
        if (request is null || entry is null || !request.Stream || request.StreamOptions?.IncludeUsage != true
            || !TokenTable.Roots.TryGetValue(request.Model, out var root))
        {
            context.Response.StatusCode = 400;
            return;
        }

        var id = string.Create(CultureInfo.InvariantCulture, $"chatcmpl-{(ulong)Interlocked.Increment(ref _counter):x16}");
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var tokens = entry.Tokens;
        var count = Math.Min(request.MaxTokens ?? tokens.Length, tokens.Length);
        var finish = request.MaxTokens is { } max && max <= tokens.Length ? "length" : "stop";

        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var pipe = response.BodyWriter;
        using var json = new Utf8JsonWriter(pipe, BareJson.WriterOptions);
        var delta = new BareDelta { Role = "assistant", Content = "" };
        var choice = new BareChatChoice { Delta = delta };
        var chunk = new BareChatChunk { Id = id, Created = created, Model = root, Choices = [choice], Usage = null };
        await WriteFrameAsync(pipe, json, chunk, aborted).ConfigureAwait(false);

        delta.Role = null;
        for (var i = 0; i < count; i++)
        {
            delta.Content = tokens[i];
            await WriteFrameAsync(pipe, json, chunk, aborted).ConfigureAwait(false);
        }

        delta.Content = null;
        choice.FinishReason = finish;
        await WriteFrameAsync(pipe, json, chunk, aborted).ConfigureAwait(false);

        // The usage chunk goes out with [DONE] in one flush, as the mock's ChatStreamWriter sends it (same HTTP chunks).
        chunk.Choices = [];
        chunk.Usage = new BareUsage { PromptTokens = entry.PromptTokens, CompletionTokens = count };
        WriteFrame(pipe, json, chunk);
        pipe.Write("data: [DONE]\n\n"u8);
        await pipe.FlushAsync(aborted).ConfigureAwait(false);
    }

    private static string? LastUserContent(BareChatMessage[] messages)
    {
        for (var i = messages.Length - 1; i >= 0; i--)
        {
            if (messages[i].Role == "user")
            {
                return messages[i].Content;
            }
        }

        return null;
    }

    private static ValueTask<FlushResult> WriteFrameAsync(PipeWriter pipe, Utf8JsonWriter json, BareChatChunk chunk, CancellationToken cancellationToken)
    {
        WriteFrame(pipe, json, chunk);
        return pipe.FlushAsync(cancellationToken);
    }

    private static void WriteFrame(PipeWriter pipe, Utf8JsonWriter json, BareChatChunk chunk)
    {
        pipe.Write("data: "u8);
        json.Reset(pipe);
        JsonSerializer.Serialize(json, chunk, BareJson.Context.BareChatChunk);
        json.Flush();
        pipe.Write("\n\n"u8);
    }
}
