using MockServer.Catalog;
using MockServer.Chat;
using MockServer.Faults;
using MockServer.Hosting;

namespace MockServer.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c>: the same pipeline as completions (media type, bounded body, JSON, strict
/// parse, every check before the first byte), the fault header (<see cref="FaultGate"/>), the cold-start gate (<see cref="ColdStartGate"/>), then the chat
/// adapter over the shared generation core.
/// </summary>
internal sealed class ChatCompletionsEndpoint(ChatRequestParser parser, ChatResponder responder, ModelWarmth warmth, MockServerOptions options)
{
    public async Task HandleAsync(HttpContext context)
    {
        var request = await JsonRequestPipeline.ReadAsync(context, options.MaxRequestBodyBytes, parser.Parse).ConfigureAwait(false);
        if (request is not null
            && await FaultGate.AdmitAsync(context, request.Model.Id, request.Stream).ConfigureAwait(false)
            && await ColdStartGate.AdmitAsync(context, warmth, request.Model).ConfigureAwait(false))
        {
            await responder.RespondAsync(context, request, context.RequestAborted).ConfigureAwait(false);
        }
    }
}
