using System.Buffers;
using System.Text.Json;
using MockServer.Errors;
using MockServer.Http;

namespace MockServer.Endpoints;

/// <summary>
/// The steps every JSON endpoint takes before its own rules (REVIEW.md, seam 3): media type, bounded body, JSON
/// parse, then the endpoint's parser. Any failure is answered here with the envelope, before any byte of a
/// response, so each endpoint supplies only its field table and what it does with a valid request.
/// </summary>
internal static class JsonRequestPipeline
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>The parsed request, or null when an error has been written.</summary>
    public static async Task<T?> ReadAsync<T>(HttpContext context, long maxBodyBytes, Func<JsonElement, T> parse)
        where T : class
    {
        if (!RequestBody.IsJson(context.Request.ContentType))
        {
            await ErrorWriter.WriteAsync(context, ApiError.UnsupportedMediaType(context.Request.ContentType)).ConfigureAwait(false);
            return null;
        }

        var (body, readError) = await RequestBody.ReadAsync(context.Request, maxBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (readError is not null)
        {
            await ErrorWriter.WriteAsync(context, readError).ConfigureAwait(false);
            return null;
        }

        Faults.FaultSchedule.NoteBody(context, body); // the schedule's fingerprint, while the bytes are at hand
        var journal = context.Features.Get<Journal.JournalScratch>();
        journal?.Body = body.IsSingleSegment ? body.First : body.ToArray(); // RequestBody's own copy: kept, not read again
        try
        {
            using var document = JsonDocument.Parse(body, DocumentOptions);
            journal?.NoteModel(document.RootElement); // as the client sent it, so a refused request is found by its model too
            return parse(document.RootElement);
        }
        catch (JsonException ex)
        {
            await ErrorWriter.WriteAsync(context, ApiError.InvalidJson(ex.Message)).ConfigureAwait(false);
        }
        catch (ApiErrorException ex)
        {
            await ErrorWriter.WriteAsync(context, ex.Error).ConfigureAwait(false);
        }

        return null;
    }
}
