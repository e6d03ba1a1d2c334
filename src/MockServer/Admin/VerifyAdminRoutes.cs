using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MockServer.Errors;
using MockServer.Http;
using MockServer.Journal;

namespace MockServer.Admin;

/// <summary>
/// <c>GET /admin/journal/verify?path=&amp;model=&amp;status=&amp;session=</c> (issue 9, "Client verification"): the
/// verdicts on the client (<see cref="ClientVerification"/>) for the journal entries the query matches, as
/// <c>{"object": "client_verification", "passed", "rules": {rule: {"passed", "failed"}}, "findings": [...]}</c>. A
/// query it cannot read is a 400 envelope naming the parameter, as on <c>/admin/journal</c>, so a typo never silently
/// widens the filter. Retries are looked for among all entries, whatever the filter (<see cref="RequestJournal.Verify"/>).
/// </summary>
internal static class VerifyAdminRoutes
{
    private static readonly string[] Parameters = ["path", "model", "status", "session"];

    private static readonly string[] Rules = [ClientVerification.WaitedRetryAfter, ClientVerification.NoRetryOfHopeless, ClientVerification.ReadToDone];

    public static void Map(RouteGroupBuilder group) => group.MapGet("/journal/verify", HandleAsync);

    /// <summary>
    /// The query's filter, or the 400 that says which parameter is wrong. It reads a query exactly as
    /// <c>GET /admin/journal</c> does (an unknown parameter, one given twice or empty, a path not starting with '/', a
    /// status that is not 100 to 599 are refused), so one query means the same entries on both routes.
    /// MERGE NOTE: the journal branch has the same reader as <c>JournalAdminRoutes.ReadFilter</c>; once both are on
    /// main this copy goes and the handler calls that one.
    /// </summary>
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

    private static Task HandleAsync(HttpContext context)
    {
        var (filter, error) = ReadFilter(context.Request.Query);
        if (error is not null)
        {
            return ErrorWriter.WriteAsync(context, error);
        }

        var report = context.RequestServices.GetRequiredService<RequestJournal>().Verify(filter);
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            Write(w, report);
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        return context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted).AsTask();
    }

    private static void Write(Utf8JsonWriter w, ClientReport report)
    {
        w.WriteStartObject();
        w.WriteString("object", "client_verification");
        w.WriteBoolean("passed", report.Passed);
        w.WriteStartObject("rules");
        foreach (var rule in Rules)
        {
            w.WriteStartObject(rule);
            w.WriteNumber("passed", report.Findings.Count(f => f.Rule == rule && f.Passed));
            w.WriteNumber("failed", report.Findings.Count(f => f.Rule == rule && !f.Passed));
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteStartArray("findings");
        foreach (var finding in report.Findings)
        {
            w.WriteStartObject();
            w.WriteString("rule", finding.Rule);
            w.WriteBoolean("passed", finding.Passed);
            w.WriteNumber("sequence", finding.Sequence);
            w.WriteString("message", finding.Message);
            if (finding.FollowUp is { } followUp)
            {
                w.WriteNumber("follow_up", followUp);
            }

            if (finding.GapSeconds is { } gap)
            {
                w.WriteNumber("gap_seconds", gap);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
