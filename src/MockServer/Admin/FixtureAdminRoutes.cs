using System.Text;
using System.Text.Json;
using MockServer.Errors;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Http;
using MockServer.Journal;

namespace MockServer.Admin;

/// <summary>
/// Run-time fixtures at the admin route (issue 9, "Fixtures can be added and removed at run time"), as
/// <see cref="RuntimeFixtures"/> in process: <c>POST /admin/fixtures</c> adds a document in the files' schema (answers
/// its id and fixture names), <c>GET /admin/fixtures</c> lists the documents, <c>DELETE /admin/fixtures/{id}</c> removes
/// one, <c>DELETE /admin/fixtures</c> removes all (answers <c>{"removed": N}</c>). Each is scoped by the request's
/// <c>X-Mock-Session</c> header when it has one: the document is added to that session, only its documents are listed,
/// removed or cleared. A bad document is a 400 naming the JSON path and line, and adds nothing; a document beyond
/// <see cref="RuntimeFixtures.MaxDocuments"/> is a 409 <c>fixture_limit_reached</c>.
/// </summary>
internal static class FixtureAdminRoutes
{
    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/fixtures", AddAsync);
        group.MapGet("/fixtures", List);
        group.MapDelete("/fixtures", Clear);
        group.MapDelete("/fixtures/{id}", Remove);
    }

    private static async Task AddAsync(HttpContext context)
    {
        if (!RequestBody.IsJson(context.Request.ContentType))
        {
            await ErrorWriter.WriteAsync(context, ApiError.UnsupportedMediaType(context.Request.ContentType)).ConfigureAwait(false);
            return;
        }

        var options = context.RequestServices.GetRequiredService<MockServerOptions>();
        var (body, readError) = await RequestBody.ReadAsync(context.Request, options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
        if (readError is not null)
        {
            await ErrorWriter.WriteAsync(context, readError).ConfigureAwait(false);
            return;
        }

        string json;
        try
        {
            // As a JSON body must be (RFC 8259 §8.1): bytes that are not UTF-8 are refused, not replaced with U+FFFD.
            json = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(body.IsSingleSegment ? body.FirstSpan : System.Buffers.BuffersExtensions.ToArray(body));
        }
        catch (DecoderFallbackException)
        {
            await ErrorWriter.WriteAsync(context, ApiError.InvalidJson("the body is not valid UTF-8.")).ConfigureAwait(false);
            return;
        }

        AddedFixtures added;
        try
        {
            added = context.RequestServices.GetRequiredService<RuntimeFixtures>().Add(json, SessionOf(context));
        }
        catch (FixtureLoadException ex)
        {
            // The loader's message names the document (its would-be id), the JSON path and the line.
            await ErrorWriter.WriteAsync(context, new ApiError(400, $"The fixture document was not added: {ex.Message}", ApiError.InvalidRequest, null, "invalid_fixture")).ConfigureAwait(false);
            return;
        }
        catch (FixtureLimitException ex)
        {
            // 409: the document may be fine; the server's state refuses it until documents are removed.
            await ErrorWriter.WriteAsync(context, new ApiError(409, $"The fixture document was not added: {ex.Message}", ApiError.InvalidRequest, null, "fixture_limit_reached")).ConfigureAwait(false);
            return;
        }

        await AdminJson.WriteAsync(context, w => Write(w, added)).ConfigureAwait(false);
    }

    private static Task List(HttpContext context)
    {
        var documents = context.RequestServices.GetRequiredService<RuntimeFixtures>().List(SessionOf(context));
        return AdminJson.WriteAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var added in documents)
            {
                Write(w, added);
            }

            w.WriteEndArray();
        });
    }

    private static Task Clear(HttpContext context) =>
        Removed(context, context.RequestServices.GetRequiredService<RuntimeFixtures>().Clear(SessionOf(context)));

    private static Task Remove(HttpContext context)
    {
        var id = context.Request.RouteValues["id"] as string ?? "";
        var session = SessionOf(context);
        if (!context.RequestServices.GetRequiredService<RuntimeFixtures>().Remove(id, session, anySession: session is null))
        {
            var scope = session is null ? "" : $" in session '{session}'";
            return ErrorWriter.WriteAsync(context, new ApiError(404,
                $"No run-time fixture document '{id}'{scope}; GET /admin/fixtures lists them (fixture files cannot be removed).",
                ApiError.InvalidRequest, "id", "fixture_document_not_found"));
        }

        return Removed(context, 1);
    }

    private static Task Removed(HttpContext context, int removed) => AdminJson.WriteAsync(context, w =>
    {
        w.WriteStartObject();
        w.WriteNumber("removed", removed);
        w.WriteEndObject();
    });

    /// <summary>The request's <c>X-Mock-Session</c>, read as the journal and the generation endpoints read it; null when absent or empty.</summary>
    private static string? SessionOf(HttpContext context) =>
        context.Request.Headers[RequestJournal.SessionHeader].ToString() is { Length: > 0 } session ? session : null;

    private static void Write(Utf8JsonWriter w, AddedFixtures added)
    {
        w.WriteStartObject();
        w.WriteString("id", added.Id);
        w.WriteString("session", added.Session);
        w.WriteStartArray("completions");
        foreach (var name in added.Completions)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteStartArray("chat");
        foreach (var name in added.Chat)
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
