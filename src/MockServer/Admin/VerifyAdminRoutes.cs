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
/// query it cannot read (an unknown or repeated parameter, a status that is not an HTTP status) is a 400 envelope
/// naming the parameter, so a typo never silently widens the filter.
/// </summary>
internal static class VerifyAdminRoutes
{
    private static readonly string[] Parameters = ["path", "model", "status", "session"];

    private static readonly string[] Rules = [ClientVerification.WaitedRetryAfter, ClientVerification.NoRetryOfHopeless, ClientVerification.ReadToDone];

    public static void Map(RouteGroupBuilder group) => group.MapGet("/journal/verify", HandleAsync);

    /// <summary>Reads the journal filter from a query: null and the error when it cannot. An empty value is no filter.</summary>
    internal static JournalFilter? ParseFilter(IQueryCollection query, out ApiError? error)
    {
        error = null;
        foreach (var (name, values) in query)
        {
            if (!Parameters.Contains(name, StringComparer.Ordinal))
            {
                var suggestion = Parameters.FirstOrDefault(p => string.Equals(p, name, StringComparison.OrdinalIgnoreCase));
                error = new ApiError(400, suggestion is null
                        ? $"Unknown query parameter: '{name}'. Filters: path, model, status, session."
                        : $"Unknown query parameter: '{name}'. Did you mean '{suggestion}'?",
                    ApiError.InvalidRequest, name, "unknown_parameter");
                return null;
            }

            if (values.Count > 1)
            {
                error = new ApiError(400, $"Duplicate query parameter: '{name}' appears {values.Count} times; give it once.", ApiError.InvalidRequest, name, "duplicate_parameter");
                return null;
            }
        }

        int? status = null;
        if (Value(query, "status") is { } text)
        {
            if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed) || parsed is < 100 or > 599)
            {
                error = ApiError.InvalidValue("status", $"Invalid 'status': expected an HTTP status from 100 to 599, but got '{text}' instead.");
                return null;
            }

            status = parsed;
        }

        return new JournalFilter(Value(query, "path"), Value(query, "model"), status, Value(query, "session"));
    }

    private static string? Value(IQueryCollection query, string name) => query[name].FirstOrDefault() is { Length: > 0 } value ? value : null;

    private static Task HandleAsync(HttpContext context)
    {
        if (ParseFilter(context.Request.Query, out var error) is not { } filter)
        {
            return ErrorWriter.WriteAsync(context, error!);
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
