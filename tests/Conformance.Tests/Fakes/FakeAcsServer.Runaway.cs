using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>
/// Generation "until the context is full" (spec-facts §12.1, <c>max_tokens: -1</c>): produced one token at a time, written
/// as it is produced, and stopped as soon as the client leaves. The counters let a test prove what a run cost the server.
/// </summary>
public sealed partial class FakeAcsServer
{
    private long _tokensProduced;
    private int _runawayStreams;
    private int _runawayNonStreamed;
    private int _runawaysToContext;

    /// <summary>Gets how many tokens runaway generations produced, all requests together.</summary>
    public long RunawayTokensProduced => Interlocked.Read(ref _tokensProduced);

    /// <summary>Gets how many runaway generations were asked for as a stream.</summary>
    public int RunawayStreams => _runawayStreams;

    /// <summary>Gets how many runaway generations were asked for without streaming (a body of the whole context).</summary>
    public int RunawayNonStreamed => _runawayNonStreamed;

    /// <summary>Gets how many runaway generations ran until the context was full: the client read them to the end.</summary>
    public int RunawaysToContext => _runawaysToContext;

    private async Task RunawayAsync(HttpContext ctx, Request request, int number)
    {
        var abort = ctx.RequestAborted;
        var id = IsLlama ? LlamaId(number) : Id(number);
        var room = Math.Max(1, _options.ContextTokens - Words().Count(request.Prompt) - 1);
        Interlocked.Increment(ref request.Stream ? ref _runawayStreams : ref _runawayNonStreamed);
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = request.Stream ? "text/event-stream" : "application/json";
        try
        {
            if (!request.Stream)
            {
                await ctx.Response.WriteAsync($"{{\"id\":\"{id}\",\"object\":\"text_completion\",\"created\":{Created},\"model\":\"{Model}\",\"choices\":[{{\"index\":0,\"text\":\"", abort);
            }

            for (var i = 0; i < room; i++)
            {
                abort.ThrowIfCancellationRequested();
                var text = Vocabulary[(int)(Hash(request.Prompt + "|runaway|" + i) % (uint)Vocabulary.Length)];
                Interlocked.Increment(ref _tokensProduced);
                if (request.Stream)
                {
                    var choice = new JsonObject { ["index"] = 0, ["text"] = text, ["logprobs"] = null, ["finish_reason"] = null };
                    var chunk = IsLlama ? LlamaChunk(id, choice) : Chunk(id, i, [choice], usage: false, null);
                    await ctx.Response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", abort);
                    await ctx.Response.Body.FlushAsync(abort);
                }
                else
                {
                    await ctx.Response.WriteAsync(JsonEncodedText.Encode(text).ToString(), abort);
                }

                // Writes to a fast reader complete synchronously: without a yield the loop pins a thread, and on a small
                // machine the very client that would leave never runs (the same reason as Hostility.EndlessStream).
                await Task.Yield();
            }

            Interlocked.Increment(ref _runawaysToContext);
            await ctx.Response.WriteAsync(request.Stream ? "data: [DONE]\n\n" : "\",\"finish_reason\":\"length\"}]}", abort);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client left: a real server stops generating here too.
        }
    }
}
