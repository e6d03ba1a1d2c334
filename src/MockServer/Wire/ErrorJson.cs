using System.Text.Json;
using MockServer.Dialects;
using MockServer.Errors;

namespace MockServer.Wire;

/// <summary>
/// The error envelope as a dialect writes it (spec-facts §6.1): <c>{"error": {"message", "type", "param", "code"}}</c>
/// with all four keys and a string-or-null code (OpenAI, the provider's choice §11.2); an integer status as the code
/// (vLLM, llama.cpp); no <c>param</c> (llama.cpp); the dialect's type for the status. One writer for the HTTP answer and
/// the in-stream error event (§4.6), so both always agree.
/// </summary>
internal static class ErrorJson
{
    public static void Write(Utf8JsonWriter json, ApiError error, Dialect dialect)
    {
        json.WriteStartObject();
        json.WriteStartObject("error"u8);
        json.WriteString("message"u8, error.Message);
        json.WriteString("type"u8, dialect.ErrorTypes.TryGetValue(error.Status, out var type) ? type : error.Type);
        if (dialect.ErrorParamKey)
        {
            json.WriteString("param"u8, error.Param);
        }

        if (dialect.ErrorCode == ErrorCodeKind.HttpStatus)
        {
            json.WriteNumber("code"u8, error.Status);
        }
        else
        {
            json.WriteString("code"u8, error.Code);
        }

        json.WriteEndObject();
        json.WriteEndObject();
    }
}
