using System.Text.Json;
using MockServer.Errors;
using MockServer.Wire;

namespace MockServer.Http;

/// <summary>Writes the OpenAI error envelope.</summary>
internal static class ErrorWriter
{
    public static Task WriteAsync(HttpContext context, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        var envelope = new ErrorEnvelope { Error = new ErrorBody { Message = error.Message, Type = error.Type, Param = error.Param, Code = error.Code } };
        var bytes = JsonSerializer.SerializeToUtf8Bytes(envelope, WireJson.Context.ErrorEnvelope);
        response.ContentLength = bytes.Length;
        return response.Body.WriteAsync(bytes, context.RequestAborted).AsTask();
    }
}
