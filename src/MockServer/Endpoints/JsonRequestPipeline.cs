using System.Buffers;
using System.Text.Json;
using MockServer.Catalog;
using MockServer.Dialects;
using MockServer.Errors;
using MockServer.Http;

namespace MockServer.Endpoints;

/// <summary>
/// The steps every JSON endpoint takes before its own rules (REVIEW.md, seam 3): media type, bounded body, JSON
/// parse, then the endpoint's parser. Any failure is answered here with the envelope, before any byte of a
/// response, so each endpoint supplies only its field table and what it does with a valid request. The request's
/// dialect (<see cref="RequestDialect"/>) is settled here, from the model the body names, so every error after this
/// point speaks it.
/// </summary>
internal static class JsonRequestPipeline
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    /// <summary>The parsed request, or null when an error has been written.</summary>
    /// <remarks>
    /// The catalog is the caller's (a singleton the endpoint holds), not looked up in
    /// <see cref="HttpContext.RequestServices"/>. The fault schedule and stream evictions still look themselves up
    /// there on every request, so a request scope is made all the same: passing them in too is what would save it.
    /// </remarks>
    public static async Task<T?> ReadAsync<T>(HttpContext context, ModelCatalog catalog, long maxBodyBytes, Func<JsonElement, Dialect, T> parse)
        where T : class
    {
        var json = RequestBody.IsJson(context.Request.ContentType);

        // Refused before reading unless a dialect that ignores Content-Type may be named by the body (spec-facts §12.1).
        if (!json && !catalog.AnyIgnoresContentType)
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
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, DocumentOptions);
        }
        catch (JsonException ex)
        {
            // No model to go by: the server's dialect decides (llama.cpp answers 500, spec-facts §12.1).
            var dialect = catalog.ServerDialect;
            await ErrorWriter.WriteAsync(context, !json && dialect.ChecksContentType
                ? ApiError.UnsupportedMediaType(context.Request.ContentType)
                : ApiError.InvalidJson(ex.Message, dialect.InvalidJsonStatus)).ConfigureAwait(false);
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            var modelId = RequestDialect.ModelIdOf(root); // read once, for the journal and the dialect
            journal?.Model = modelId; // as the client sent it, so a refused request is found by its model too
            var dialect = RequestDialect.ForModel(catalog, modelId);
            RequestDialect.Set(context, dialect);
            if (!json && dialect.ChecksContentType)
            {
                await ErrorWriter.WriteAsync(context, ApiError.UnsupportedMediaType(context.Request.ContentType)).ConfigureAwait(false);
                return null;
            }

            try
            {
                return parse(root, dialect);
            }
            catch (ApiErrorException ex)
            {
                await ErrorWriter.WriteAsync(context, ex.Error).ConfigureAwait(false);
            }
        }

        return null;
    }
}
