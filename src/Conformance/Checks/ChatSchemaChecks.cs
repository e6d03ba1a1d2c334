using System.Text.Json.Nodes;
using Conformance.Http;

namespace Conformance.Checks;

/// <summary>
/// <c>schemas/chat-completion.schema.json</c> and <c>schemas/chat-completion-chunk.schema.json</c> applied to every chat
/// answer of the run, as <see cref="SchemaChecks"/> applies the completions schemas: the files the MockServer's chat
/// bodies are tested against, so the two cannot drift apart. They admit the seed provider's wire (spec-facts §13) and
/// OpenAI's (§5), each key set closed, so a key another backend adds is reported at the profile's level.
/// </summary>
internal static class ChatSchemaChecks
{
    public const string CompletionSchema = "chat-completion.schema.json";
    public const string ChunkSchema = "chat-completion-chunk.schema.json";

    private const string Path = "chat/completions";

    public static IEnumerable<CheckDefinition> All()
    {
        yield return new(
            "chat.schema.completion", $"Every non-streamed chat completion validates against schemas/{CompletionSchema}",
            $"schemas/{CompletionSchema}; spec-facts §5 notes, §13", Completions, Aggregate: true, Prepare: ctx => ctx.ChatUnavailable());
        yield return new(
            "chat.schema.chunk", $"Every streamed chat chunk validates against schemas/{ChunkSchema}",
            $"schemas/{ChunkSchema}; spec-facts §5, §12.2, §13", Chunks, Aggregate: true, Prepare: PrepareStream);
    }

    /// <summary>The gate, then (when chat is served) the stream probe: everything <see cref="Chunks"/> reads.</summary>
    private static async Task PrepareStream(CheckContext ctx)
    {
        if (await ctx.ChatUnavailable() is null)
        {
            await StreamProbe(ctx);
        }
    }

    /// <summary>
    /// A short chat stream with <c>include_usage</c>, so the usage chunk is judged too in every dialect (the seed provider
    /// sends it anyway, spec-facts §13; OpenAI only when asked, §5).
    /// </summary>
    private static Task<Exchange> StreamProbe(CheckContext ctx)
    {
        var body = ctx.MinimalChatBody();
        body["max_tokens"] = 3;
        body["stream"] = true;
        body["stream_options"] = new JsonObject { ["include_usage"] = true };
        return ctx.Chat("chat.schema.stream", body, stream: true);
    }

    private static async Task<Outcome> Completions(CheckContext ctx)
    {
        if (await ctx.ChatUnavailable() is { } na)
        {
            return na;
        }

        // The gate is the minimal non-streamed chat request: at least one answer to judge, even when this check runs alone.
        var gate = ctx.Client.Log.FirstOrDefault(e => e.Spec.Probe == "chat.gate");
        var answers = ctx.Client.Log.Where(e => e.Spec.Path == Path && !e.Spec.Stream && e.Status == 200 && e.Failure == TransportFailure.None).ToList();
        if (answers.Count == 0)
        {
            return (gate is null ? null : CompletionChecks.Success(gate).Problem)
                ?? Outcome.Fail("nothing to judge: no non-streamed chat completion was answered with 200", gate, "a chat completion", "none");
        }

        return await SchemaChecks.EveryBodyValid(answers, CompletionSchema, _ => "a chat completion breaks the schema", $"{answers.Count} chat completions");
    }

    private static async Task<Outcome> Chunks(CheckContext ctx)
    {
        if (await ctx.ChatUnavailable() is { } na)
        {
            return na;
        }

        var own = await StreamProbe(ctx);
        var streams = ctx.Client.Log.Where(e => e.Spec.Path == Path && e.Spec.Stream && e.Status == 200 && e.Sse is not null).ToList();
        if (streams.Count == 0)
        {
            return StreamView.From(own, requireContent: false).Problem
                ?? Outcome.Fail("nothing to judge: no chat stream was answered with 200", own, "an event stream", "none");
        }

        var (invalid, checkedChunks) = await SchemaChecks.EveryChunkValid(streams, ChunkSchema);
        return invalid
            ?? (checkedChunks > 0
                ? Outcome.Pass($"{checkedChunks} chat chunks in {streams.Count} streams")
                : Outcome.Fail($"nothing to judge: {streams.Count} chat streams carried no chunk", own, "chunks to validate", "no data event before [DONE]", Exchange.Excerpt(own.BodyText, 400)));
    }
}
