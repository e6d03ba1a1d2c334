using System.Globalization;
using System.Text.Json;
using MockServer.Errors;
using MockServer.Http;
using MockServer.Journal;

namespace MockServer.Admin;

/// <summary>
/// <c>GET /admin/journal</c> (the entries, a JSON array, oldest first) and <c>DELETE /admin/journal</c> (removes them,
/// answers <c>{"removed": N}</c>), both filtered by the query: <c>path</c>, <c>model</c>, <c>status</c>, <c>session</c>
/// (issue 9, "Request journal"). A bad query is a 400 naming the parameter, never an unfiltered answer: a typo in a
/// DELETE's filter must not clear everything. <c>GET /admin/journal/{sequence}</c> is one entry with the response as
/// sent (<c>response</c>, <c>response_truncated</c>; issue 11's journal detail), which the list leaves out: a list of a
/// thousand entries would otherwise carry a thousand answers.
/// </summary>
internal static class JournalAdminRoutes
{
    private static readonly string[] Parameters = ["path", "model", "status", "session"];

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/journal", ListAsync);
        group.MapDelete("/journal", ClearAsync);
        group.MapGet("/journal/{sequence}", EntryAsync); // /journal/verify is a literal segment: routing prefers it
    }

    /// <summary>The query's filter, or the 400 that says which parameter is wrong (shared with the verify route).</summary>
    internal static (JournalFilter? Filter, ApiError? Error) ReadFilter(IQueryCollection query)
    {
        foreach (var (name, _) in query)
        {
            if (!Parameters.Contains(name, StringComparer.Ordinal))
            {
                return (null, new ApiError(400, $"Unknown query parameter: '{name}'. The journal is filtered by {string.Join(", ", Parameters)}.",
                    ApiError.InvalidRequest, name, "unknown_parameter"));
            }
        }

        string? path = null, model = null, session = null;
        int? status = null;
        foreach (var name in Parameters)
        {
            var values = query[name];
            if (values.Count == 0)
            {
                continue;
            }

            var value = values.Count == 1 ? values[0] ?? "" : null;
            if (string.IsNullOrEmpty(value))
            {
                return (null, ApiError.InvalidValue(name, $"Invalid '{name}': give it once, with a value (leave it out to match every entry)."));
            }

            switch (name)
            {
                case "path" when !value.StartsWith('/'):
                    return (null, ApiError.InvalidValue(name, $"Invalid 'path': expected a path starting with '/', like /v1/chat/completions, but got '{value}'."));
                case "path":
                    path = value;
                    break;
                case "status" when !int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code is < 100 or > 599:
                    return (null, ApiError.InvalidValue(name, $"Invalid 'status': expected an HTTP status from 100 to 599, but got '{value}'."));
                case "status":
                    status = int.Parse(value, CultureInfo.InvariantCulture);
                    break;
                case "model":
                    model = value;
                    break;
                default:
                    session = value;
                    break;
            }
        }

        return (new JournalFilter(path, model, status, session), null);
    }

    private static Task ListAsync(HttpContext context)
    {
        var (filter, error) = ReadFilter(context.Request.Query);
        if (error is not null)
        {
            return ErrorWriter.WriteAsync(context, error);
        }

        var entries = context.RequestServices.GetRequiredService<RequestJournal>().Read(filter, withResponses: false);
        return AdminJson.WriteAsync(context, w =>
        {
            w.WriteStartArray();
            foreach (var entry in entries)
            {
                JournalEntryJson.Write(w, entry);
            }

            w.WriteEndArray();
        });
    }

    private static Task EntryAsync(HttpContext context, string sequence)
    {
        if (!long.TryParse(sequence, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            return ErrorWriter.WriteAsync(context, ApiError.InvalidValue("sequence",
                $"Invalid journal sequence '{sequence}': expected an entry's sequence number, a whole number from 1, as GET /admin/journal lists them."));
        }

        if (context.RequestServices.GetRequiredService<RequestJournal>().Entry(number) is not { } entry)
        {
            return ErrorWriter.WriteAsync(context, new ApiError(404,
                string.Create(CultureInfo.InvariantCulture, $"The journal holds no entry {number}: it was never made, was cleared, or was pushed out by newer ones (GET /admin/journal lists those kept)."),
                ApiError.InvalidRequest, "sequence", "journal_entry_not_found"));
        }

        return AdminJson.WriteAsync(context, w => JournalEntryJson.Write(w, entry, withResponse: true));
    }

    private static Task ClearAsync(HttpContext context)
    {
        var (filter, error) = ReadFilter(context.Request.Query);
        if (error is not null)
        {
            return ErrorWriter.WriteAsync(context, error);
        }

        var removed = context.RequestServices.GetRequiredService<RequestJournal>().Clear(filter);
        return AdminJson.WriteAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("removed", removed);
            w.WriteEndObject();
        });
    }
}
