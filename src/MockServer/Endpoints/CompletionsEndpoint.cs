using System.Buffers;
using System.Text.Json;
using MockServer.Errors;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Http;
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
    RequestIds ids,
    MockServerOptions options)
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public async Task HandleAsync(HttpContext context)
    {
        var aborted = context.RequestAborted;
        if (!RequestBody.IsJson(context.Request.ContentType))
        {
            await ErrorWriter.WriteAsync(context, ApiError.UnsupportedMediaType(context.Request.ContentType)).ConfigureAwait(false);
            return;
        }

        var (body, readError) = await RequestBody.ReadAsync(context.Request, options.MaxRequestBodyBytes, aborted).ConfigureAwait(false);
        if (readError is not null)
        {
            await ErrorWriter.WriteAsync(context, readError).ConfigureAwait(false);
            return;
        }

        CompletionRequest request;
        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            request = parser.Parse(document.RootElement);
        }
        catch (JsonException ex)
        {
            await ErrorWriter.WriteAsync(context, ApiError.InvalidJson(ex.Message)).ConfigureAwait(false);
            return;
        }
        catch (ApiErrorException ex)
        {
            await ErrorWriter.WriteAsync(context, ex.Error).ConfigureAwait(false);
            return;
        }

        var (id, entropy) = ids.Next();
        var created = options.TimeProvider.GetUtcNow().ToUnixTimeSeconds();
        var result = engine.Run(request, entropy, aborted);
        if (request.Stream)
        {
            await CompletionStreamWriter.WriteAsync(context, id, created, request, result, options, aborted).ConfigureAwait(false);
            return;
        }

        var response = CompletionResponseBuilder.Build(id, created, request, result);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WireJson.WriterOptions))
        {
            JsonSerializer.Serialize(writer, response, WireJson.Context.CompletionResponse);
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, aborted).ConfigureAwait(false);
    }
}
