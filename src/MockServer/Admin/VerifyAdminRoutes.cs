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
    private static readonly string[] Rules = [ClientVerification.WaitedRetryAfter, ClientVerification.NoRetryOfHopeless, ClientVerification.ReadToDone];

    public static void Map(RouteGroupBuilder group) => group.MapGet("/journal/verify", HandleAsync);

    /// <summary>The query's filter, read exactly as <c>GET /admin/journal</c> reads it, so one query means the same entries on both routes.</summary>
    internal static (JournalFilter? Filter, ApiError? Error) ReadFilter(IQueryCollection query) => JournalAdminRoutes.ReadFilter(query);

    private static Task HandleAsync(HttpContext context)
    {
        var (filter, error) = ReadFilter(context.Request.Query);
        if (error is not null)
        {
            return ErrorWriter.WriteAsync(context, error);
        }

        var report = context.RequestServices.GetRequiredService<RequestJournal>().Verify(filter);
        return AdminJson.WriteAsync(context, w => Write(w, report));
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
