using System.Buffers;
using System.Text.Json;
using MockServer.Catalog;
using MockServer.Faults;
using MockServer.Fixtures;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Timing;
using MockServer.Validation;
using MockServer.Wire;

namespace MockServer.Endpoints;

/// <summary>
/// <c>POST /v1/completions</c>: every check runs before the first byte of a response, so a bad request always gets
/// a proper status and envelope (spec-facts §11.1), then the completion is generated whole and written as JSON or
/// as SSE frames.
/// </summary>
internal sealed class CompletionsEndpoint(
    CompletionRequestParser parser,
    CompletionEngine engine,
    RuntimeFixtures runtime,
    RequestIds ids,
    ModelWarmth warmth,
    ModelCatalog catalog,
    MockServerOptions options)
{
    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        var request = await JsonRequestPipeline.ReadAsync<CompletionRequest>(context, catalog, options.MaxRequestBodyBytes, parser.Parse).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        // Fixtures are matched once, here: the engine follows their scripts, and the first match's timing and fault apply.
        // The request's session decides which run-time fixtures it sees, for matching and for near misses alike.
        var fixtures = runtime.ScopeFor(context);
        var matched = request.Prompts.Select(p => fixtures.Match(request.Model.Id, p.Text)).ToArray();
        var first = matched.FirstOrDefault(f => f is not null);

        // Prompts no fixture matched: the journal says why for each (near misses); strict mode refuses them before admission.
        if (Array.IndexOf(matched, null) >= 0
            && !await FixtureMisses.ProceedAsync(
                context, [.. Enumerable.Range(0, matched.Length).Where(i => matched[i] is null)], matched.Length,
                i => fixtures.ExplainCompletion(request.Model.Id, request.Prompts[i].Text), "completion", options).ConfigureAwait(false))
        {
            return;
        }

        var promptTokens = request.Prompts.Sum(p => p.Tokens.Count);
        var admitted = await Admission.AdmitAsync(
            context, request.Model, request.Stream, new FixtureBehaviour(first?.Timing, first?.Fault),
            promptTokens, (long)request.MaxTokens * request.BestOf * request.Prompts.Count, warmth, options).ConfigureAwait(false);
        if (admitted is null)
        {
            return;
        }

        Journal.JournalScratch.NoteAnswer(context, first?.Name);
        var sent = new SentTokens();
        try
        {
            var (id, entropy) = ids.Next(request.Model.Dialect.CompletionIdPrefix);
            var created = options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
            var generation = ToGeneration(request, matched);
            var clock = new TokenClock(admitted.Timing, promptTokens, SeedBits(request, entropy), options.TimeProvider);
            if (request.Stream)
            {
                var stream = engine.Start(generation, entropy, aborted);
                await CompletionStreamWriter.WriteAsync(context, id, created, request, stream, clock, sent, options, aborted).ConfigureAwait(false);
                return;
            }

            // Not streamed: the answer takes the whole generation time (its longest choice's last token).
            var result = engine.Run(generation, entropy, aborted);
            await clock.WaitForTokenAsync(result.Choices.Max(c => c.Tokens.Count) - 1, aborted).ConfigureAwait(false);
            var timings = request.Model.Dialect.Timings ? LlamaTimings.From(clock, result.PromptTokens, result.CompletionTokens, result.Choices.Max(c => c.Tokens.Count)) : null;
            await WriteJsonAsync(context, id, created, request, result, timings, aborted).ConfigureAwait(false);
            sent.Add(result.CompletionTokens);
        }
        finally
        {
            admitted.Charge.Settle(promptTokens, sent.Count);
        }
    }

    /// <summary>What the timing's jitter draws from: the request's seed when it has one, else its entropy.</summary>
    internal static ulong SeedBits(CompletionRequest request, ulong entropy) => request.Seed is { } seed ? Mix.Hash((ulong)seed, 0x7131) : entropy;

    private static async Task WriteJsonAsync(HttpContext context, string id, long created, CompletionRequest request, CompletionResult result, LlamaTimings? timings, CancellationToken aborted)
    {
        var response = CompletionResponseBuilder.Build(id, created, request, result);
        response.Timings = timings;
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WireJson.WriterOptions))
        {
            JsonSerializer.Serialize(writer, response, WireJson.CompletionResponse(request.Model.Dialect));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        Journal.JournalScratch.NoteSent(context, buffer.WrittenSpan);
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, aborted).ConfigureAwait(false);
    }

    /// <summary>The engine's view of a completions request: echo and the logprobs wire shape stay here.</summary>
    private static GenerationRequest ToGeneration(CompletionRequest request, CompletionFixture?[] matched)
    {
        var scorePrompts = request.PromptLogprobs is not null || (request.Echo && request.Logprobs is not null);
        return new GenerationRequest
        {
            Model = request.Model,
            Prompts = request.Prompts,
            MaxTokens = request.MaxTokens,
            N = request.N,
            BestOf = request.BestOf,
            TopLogprobs = request.Logprobs,
            PromptTopLogprobs = scorePrompts ? Math.Max(request.PromptLogprobs ?? 0, request.Echo ? request.Logprobs ?? 0 : 0) : null,
            Stop = request.Stop,
            Seed = request.Seed,
            Sampling = request.Sampling,
            Script = (p, _, _) => matched[p]?.Script,
        };
    }
}
