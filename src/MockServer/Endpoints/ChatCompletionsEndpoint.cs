using MockServer.Catalog;
using MockServer.Chat;
using MockServer.Fixtures;
using MockServer.Hosting;

namespace MockServer.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c>: the same pipeline as completions (media type, bounded body, JSON, strict
/// parse, every check before the first byte), the steps of <see cref="Admission"/> (timing, faults, cold start, budget), then the chat
/// adapter over the shared generation core.
/// </summary>
internal sealed class ChatCompletionsEndpoint(ChatRequestParser parser, ChatResponder responder, RuntimeFixtures runtime, ModelWarmth warmth, ModelCatalog catalog, MockServerOptions options)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = await JsonRequestPipeline.ReadAsync<ChatRequest>(context, catalog, options.MaxRequestBodyBytes, parser.Parse).ConfigureAwait(false);
        if (request is null)
        {
            return;
        }

        // Matched once, here: its script answers, and its timing and fault apply. The request's session decides which
        // run-time fixtures it sees, for matching and for near misses alike.
        var fixtures = runtime.ScopeFor(context);
        var fixture = fixtures.MatchChat(request.Model.Id, request.Messages, f => ChatScriptPlan.Usable(request, f));

        // None answered: the journal says why (near misses); strict mode refuses the request before admission.
        if (fixture is null
            && !await FixtureMisses.ProceedAsync(
                context, () => fixtures.ExplainChat(request.Model.Id, request.Messages, f => ChatScriptPlan.Unusable(request, f)),
                "chat", options).ConfigureAwait(false))
        {
            return;
        }

        if (await responder.PlanAsync(context, request, fixture, context.RequestAborted).ConfigureAwait(false) is not { } answer)
        {
            return;
        }

        var promptTokens = request.Prompt.Tokens.Count;
        var admitted = await Admission.AdmitAsync(
            context, request.Model, request.Stream, new FixtureBehaviour(fixture?.Timing, fixture?.Fault),
            promptTokens, (long)request.MaxTokens * request.N, warmth, options).ConfigureAwait(false);
        if (admitted is null)
        {
            return;
        }

        Journal.JournalScratch.NoteAnswer(context, fixture?.Name);
        var sent = new SentTokens();
        try
        {
            await responder.RespondAsync(context, request, answer, admitted, sent, context.RequestAborted).ConfigureAwait(false);
        }
        finally
        {
            admitted.Charge.Settle(promptTokens, sent.Count);
        }
    }
}
