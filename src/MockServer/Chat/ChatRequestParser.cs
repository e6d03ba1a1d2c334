using System.Text.Json;
using MockServer.Errors;

namespace MockServer.Chat;

/// <summary>Turns a chat request body into a <see cref="ChatRequest"/> or throws <see cref="ApiErrorException"/>.</summary>
internal sealed class ChatRequestParser(Catalog.ModelCatalog catalog)
{
    // CONTRACT STUB (lead): replaced by the chat-request work.
    public ChatRequest Parse(JsonElement root) => catalog.Models.Count < 0 ? null! :
        throw new ApiErrorException(new ApiError(400, "Chat completions are not implemented yet.", ApiError.InvalidRequest, null, "not_implemented"));
}
