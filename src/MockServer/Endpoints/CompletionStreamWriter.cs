using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Validation;
using MockServer.Wire;

namespace MockServer.Endpoints;

/// <summary>
/// Writes a streamed completion: <c>data: {json}\n\n</c> per frame, each flushed as it is written, constant
/// id/created/model, an optional usage chunk with <c>choices: []</c>, then <c>data: [DONE]\n\n</c> and nothing
/// after (spec-facts §4.1, §4.4, §11.4).
/// </summary>
internal static class CompletionStreamWriter
{
    public static async Task WriteAsync(
        HttpContext context,
        string id,
        long created,
        CompletionRequest request,
        CompletionResult result,
        MockServerOptions options,
        CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();

        var pipe = response.BodyWriter;
        using var json = new Utf8JsonWriter(pipe, WireJson.WriterOptions);
        var choice = new ChunkChoice();
        var chunk = new CompletionChunk { Id = id, Created = created, Model = request.Model.Root, Choices = [choice] };
        foreach (var frame in StreamPlan.Frames(request, result))
        {
            choice.Index = frame.ChoiceIndex;
            choice.Text = frame.Text;
            choice.Logprobs = frame.Logprobs;
            choice.FinishReason = frame.FinishReason;
            choice.StopReason = frame.StopReason;
            await WriteFrameAsync(pipe, json, chunk, cancellationToken).ConfigureAwait(false);
            if (options.TokenDelay > TimeSpan.Zero)
            {
                await Task.Delay(options.TokenDelay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
        }

        if (request.IncludeUsage)
        {
            chunk.Choices = [];
            chunk.Usage = new Usage { PromptTokens = result.PromptTokens, CompletionTokens = result.CompletionTokens };
            await WriteFrameAsync(pipe, json, chunk, cancellationToken).ConfigureAwait(false);
        }

        pipe.Write("data: [DONE]\n\n"u8);
        await pipe.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private static ValueTask<FlushResult> WriteFrameAsync(PipeWriter pipe, Utf8JsonWriter json, CompletionChunk chunk, CancellationToken cancellationToken)
    {
        pipe.Write("data: "u8);
        json.Reset(pipe);
        JsonSerializer.Serialize(json, chunk, WireJson.Context.CompletionChunk);
        json.Flush();
        pipe.Write("\n\n"u8);
        return pipe.FlushAsync(cancellationToken);
    }
}
