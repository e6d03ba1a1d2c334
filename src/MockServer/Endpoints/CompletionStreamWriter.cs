using System.IO.Pipelines;
using System.Text.Json;
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
        using var sink = SseSink.Start(context, options, cancellationToken);
        var choice = new ChunkChoice();
        var chunk = new CompletionChunk { Id = id, Created = created, Model = request.Model.Root, Choices = [choice] };
        foreach (var frame in StreamPlan.Frames(request, result))
        {
            choice.Index = frame.ChoiceIndex;
            choice.Text = frame.Text;
            choice.Logprobs = frame.Logprobs;
            choice.FinishReason = frame.FinishReason;
            choice.StopReason = frame.StopReason;
            await WriteFrameAsync(sink, chunk).ConfigureAwait(false);
            await sink.PaceAsync().ConfigureAwait(false);
        }

        if (request.IncludeUsage)
        {
            chunk.Choices = [];
            chunk.Usage = new Usage { PromptTokens = result.PromptTokens, CompletionTokens = result.CompletionTokens };
            await WriteFrameAsync(sink, chunk).ConfigureAwait(false);
        }

        await sink.DoneAsync().ConfigureAwait(false);
    }

    private static ValueTask<FlushResult> WriteFrameAsync(SseSink sink, CompletionChunk chunk)
    {
        JsonSerializer.Serialize(sink.BeginEvent(), chunk, WireJson.Context.CompletionChunk);
        return sink.EndEventAsync();
    }
}
