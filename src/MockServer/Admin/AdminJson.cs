using System.Buffers;
using System.Text.Json;

namespace MockServer.Admin;

/// <summary>The answer every admin route gives on success: 200 with the JSON the route writes, in one body of known length.</summary>
internal static class AdminJson
{
    public static Task WriteAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }
}
