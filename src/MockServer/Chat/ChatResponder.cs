using System.Buffers;
using System.Text.Json;
using MockServer.Endpoints;
using MockServer.Errors;
using MockServer.Http;
using MockServer.Fixtures;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Timing;
using MockServer.Tokenization;
using MockServer.Wire;

namespace MockServer.Chat;

/// <summary>
/// Generates the answer to a valid chat request through the shared generation core and writes it as a
/// <c>chat.completion</c> or as chunks in the model's dialect. The rendered conversation is the prompt; a fixture,
/// tool-call arguments or structured output reach the engine as a script, so usage, logprobs, stop strings and
/// max_tokens treat them as they treat any text.
/// </summary>
internal sealed class ChatResponder(CompletionEngine engine, Tokenizer tokenizer, RequestIds ids, MockServerOptions options)
{
    /// <summary>
    /// Decides what the assistant will say, before admission: a schema the mock cannot satisfy is a 400 like any bad
    /// field, so it is answered before the request is charged, counted against a rate limit, or wakes a cold model.
    /// Returns null when the 400 has been written.
    /// </summary>
    public async Task<ChatAnswerPlan?> PlanAsync(HttpContext context, ChatRequest request, ChatFixture? fixture, CancellationToken cancellationToken)
    {
        var (id, entropy) = ids.Next(RequestIds.Chat);

        // Everything the synthetic model decides (which tool, its arguments, call ids, structured output) follows the
        // seed when there is one, so the same seed and request give the same bytes; unseeded, the request's entropy.
        // Each choice has its own plan, so n choices are n different calls or JSON values (choice 0 keeps the request's bits).
        var seedBits = request.Seed is { } seed ? Mix.Hash((ulong)seed, 0xC4A7) : entropy;
        ChatScriptPlan[] plans;
        var budget = new SchemaBudget(SchemaBudget.PerRequest, cancellationToken); // one for all choices and retries
        try
        {
            plans = [.. Enumerable.Range(0, request.N).Select(c => ChatScriptPlan.For(request, fixture, tokenizer, c == 0 ? seedBits : Mix.Hash(seedBits, 0xC401CE, (ulong)c), budget))];
        }
        catch (ApiErrorException e)
        {
            // Nothing is written yet: a schema the mock cannot satisfy is answered as a structured 400.
            await ErrorWriter.WriteAsync(context, e.Error).ConfigureAwait(false);
            return null;
        }

        return new ChatAnswerPlan(id, entropy, seedBits, plans);
    }

    /// <summary>Writes the planned answer, counting in <paramref name="sent"/> the completion tokens the client was given (for the key's charge).</summary>
    public async Task RespondAsync(HttpContext context, ChatRequest request, ChatAnswerPlan answer, Admitted admitted, SentTokens sent, CancellationToken cancellationToken)
    {
        var (id, entropy, seedBits, plans) = answer;
        var created = options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        var generation = ToGeneration(request, plans);
        var clock = new TokenClock(admitted.Timing, request.Prompt.Tokens.Count, seedBits, options.TimeProvider);
        if (request.Stream)
        {
            var stream = engine.Start(generation, entropy, cancellationToken);
            await ChatStreamWriter.WriteAsync(context, id, created, request, stream, plans, seedBits, clock, sent, options, cancellationToken).ConfigureAwait(false);
            return;
        }

        // Not streamed: the answer takes the whole generation time (its longest choice's last token).
        var result = engine.Run(generation, entropy, cancellationToken);
        await clock.WaitForTokenAsync(result.Choices.Max(c => c.Tokens.Count) - 1, cancellationToken).ConfigureAwait(false);
        var choices = result.Choices.Select(c => ChatChoiceOutput.From(c, plans[c.Index], seedBits)).ToList();
        var response = ChatResponseBuilder.Build(id, created, request, result, choices);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WireJson.WriterOptions))
        {
            JsonSerializer.Serialize(writer, response, WireJson.ChatCompletionResponse(request.Model.Dialect));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        Journal.JournalScratch.NoteSent(context, buffer.WrittenSpan);
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, cancellationToken).ConfigureAwait(false);
        sent.Add(result.CompletionTokens);
    }

    /// <summary>The engine's view of a chat request: one prompt (the rendered conversation) and each candidate's script.</summary>
    private static GenerationRequest ToGeneration(ChatRequest request, ChatScriptPlan[] plans) => new()
    {
        Model = request.Model,
        Prompts = [request.Prompt],
        MaxTokens = request.MaxTokens,
        N = request.N,
        BestOf = request.N, // the engine generates BestOf candidates and keeps N: chat has no best_of
        TopLogprobs = request.Logprobs ? request.TopLogprobs : null,
        Stop = request.Stop,
        Seed = request.Seed,
        Sampling = request.Sampling,
        Script = (_, candidate, _) => plans[candidate].Script,
    };
}

/// <summary>A chat answer decided before admission: its id, the request's entropy and seed bits, and each choice's plan.</summary>
internal sealed record ChatAnswerPlan(string Id, ulong Entropy, ulong SeedBits, ChatScriptPlan[] Plans);
