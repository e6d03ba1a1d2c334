using System.Buffers;
using System.Text.Json;
using MockServer.Dialects;
using MockServer.Errors;
using MockServer.Wire;

namespace MockServer.Http;

/// <summary>Writes the error envelope in the request's dialect (<see cref="RequestDialect"/>, <see cref="ErrorJson"/>).</summary>
internal static class ErrorWriter
{
    public static Task WriteAsync(HttpContext context, ApiError error)
    {
        var response = context.Response;
        response.StatusCode = error.Status;
        response.ContentType = "application/json";
        var body = Body(context, error);
        response.ContentLength = body.Length;
        if (!HttpMethods.IsHead(context.Request.Method))
        {
            Journal.JournalScratch.NoteSent(context, body.Span); // a HEAD answer's body is never sent: nothing to keep
        }

        return response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>The envelope's bytes in the request's dialect, for an answer written (or recorded) whole.</summary>
    public static ReadOnlyMemory<byte> Body(HttpContext context, ApiError error)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer, WireJson.WriterOptions))
        {
            ErrorJson.Write(json, error, RequestDialect.Of(context));
        }

        return buffer.WrittenMemory;
    }
}
