using System.IO.Pipelines;
using System.Text.Json;
using MockServer.Dialects;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Timing;
using MockServer.Validation;
using MockServer.Wire;

namespace MockServer.Endpoints;

/// <summary>
/// Writes a streamed completion: <c>data: {json}\n\n</c> per frame, each flushed as it is written and written when
/// its last token is due (<see cref="TokenClock"/>), constant id/created/model, an optional usage chunk with
/// <c>choices: []</c>, then <c>data: [DONE]\n\n</c> and nothing after (spec-facts §4.1, §4.4, §11.4). Frames are made
/// as they are written: the generator runs one frame ahead of the client at most.
/// </summary>
internal static class CompletionStreamWriter
{
    public static async Task WriteAsync(
        HttpContext context,
        string id,
        long created,
        CompletionRequest request,
        GenerationStream stream,
        TokenClock clock,
        SentTokens sent,
        MockServerOptions options,
        CancellationToken cancellationToken)
    {
        using var sink = SseSink.Start(context, options, cancellationToken);
        var dialect = request.Model.Dialect;
        var contract = WireJson.CompletionChunk(dialect);
        var choice = new ChunkChoice();
        var chunk = new CompletionChunk { Id = id, Created = created, Model = request.Model.ResponseName, Choices = [choice] };

        // llama.cpp: the stream's last chunk (the finish of the last choice to end) carries the usage, whatever
        // stream_options says (spec-facts §12.1); every choice ends with its finish, so that chunk's usage is whole.
        var usageOnFinish = dialect.CompletionStreamEnd == CompletionStreamEnd.EmptyFinishChunkWithUsage;
        var unfinished = stream.Choices.Count;
        foreach (var frame in StreamPlan.Frames(request, stream))
        {
            await sink.WaitForTokenAsync(clock, frame.LastToken).ConfigureAwait(false);
            if (!sink.Delivering)
            {
                return; // evicted while waiting: the stream has ended
            }

            choice.Index = frame.ChoiceIndex;
            choice.Text = frame.Text;
            choice.SetLogprobs(frame.Logprobs);
            choice.FinishReason = frame.FinishReason;
            choice.StopReason = frame.StopReason;
            if (dialect.CreatedPerChunk)
            {
                chunk.Created = options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
            }
            var last = usageOnFinish && frame.FinishReason is not null && --unfinished == 0;
            chunk.Usage = last ? new Usage { PromptTokens = stream.PromptTokens, CompletionTokens = stream.CompletionTokens } : null;
            chunk.Timings = last && dialect.Timings ? LlamaTimings.From(clock, stream.PromptTokens, stream.CompletionTokens, stream.Choices.Max(c => c.Generator.Count)) : null;
            await WriteFrameAsync(sink, chunk, contract).ConfigureAwait(false);
            sent.Add(frame.Tokens); // sent: the stream is still delivering when a frame starts (see below)
            if (!sink.Delivering)
            {
                return; // a fault ended the stream after this frame: nothing more is generated for a client that gets none of it
            }
        }

        if (request.IncludeUsage && !usageOnFinish)
        {
            chunk.Choices = [];
            chunk.Created = dialect.CreatedPerChunk ? options.TimeProvider.GetUtcNow().ToUnixTimeSeconds() : chunk.Created;
            chunk.Usage = new Usage { PromptTokens = stream.PromptTokens, CompletionTokens = stream.CompletionTokens };
            await WriteFrameAsync(sink, chunk, contract).ConfigureAwait(false);
        }

        await sink.DoneAsync().ConfigureAwait(false);
        sent.Delivered(sink, stream.CompletionTokens);
    }

    private static ValueTask<FlushResult> WriteFrameAsync(SseSink sink, CompletionChunk chunk, System.Text.Json.Serialization.Metadata.JsonTypeInfo<CompletionChunk> contract)
    {
        JsonSerializer.Serialize(sink.BeginEvent(), chunk, contract);
        return sink.EndEventAsync();
    }
}
