namespace MockServer.Chat;

/// <summary>Generates the answer to a valid chat request and writes it as a chat.completion or as chunks.</summary>
internal sealed class ChatResponder(Generation.CompletionEngine engine)
{
    // CONTRACT STUB (lead): replaced by the chat-response work.
    public Task RespondAsync(HttpContext context, ChatRequest request, CancellationToken cancellationToken)
    {
        context.Response.StatusCode = engine is null ? 500 : 501;
        return Task.CompletedTask;
    }
}
