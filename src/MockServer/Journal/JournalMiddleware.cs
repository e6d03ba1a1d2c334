using System.Globalization;
using MockServer.Admin;
using MockServer.Faults;
using MockServer.Hosting;

namespace MockServer.Journal;

/// <summary>
/// The outermost middleware (issue 9, "Request journal"): gives each request a <see cref="JournalScratch"/> that its
/// handling fills, and once the answer is complete adds its <see cref="JournalEntry"/>, built from the request, the
/// scratch and the response (status, <c>Retry-After</c>, <c>X-Mock-Fault-Applied</c>).
/// </summary>
/// <remarks>
/// Requests under <c>/admin</c> are not journaled: reading or clearing the journal must not change it, and the admin
/// surface is the test's own control channel, not the client under test.
/// </remarks>
internal sealed class JournalMiddleware(RequestDelegate next, RequestJournal journal, MockServerOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (journal.Capacity == 0 || context.Request.Path.StartsWithSegments(AdminRoutes.Prefix, StringComparison.OrdinalIgnoreCase))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var sequence = journal.NextSequence();
        var time = options.TimeProvider.GetUtcNow();
        var started = options.TimeProvider.GetTimestamp();
        var scratch = new JournalScratch();
        context.Features.Set(scratch);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            journal.Add(Build(context, scratch, sequence, time, options.TimeProvider.GetElapsedTime(started)));
        }
    }

    private static JournalEntry Build(HttpContext context, JournalScratch scratch, long sequence, DateTimeOffset time, TimeSpan duration)
    {
        var request = context.Request;
        var response = context.Response;
        string path = request.Path;
        var (body, truncated) = JournalBody.Text(scratch.Body.Span);
        var fault = scratch.Fault ?? NonEmpty(response.Headers[FaultPlan.AppliedHeader].ToString());

        // A reset_after fault aborts the connection itself: that is the server's doing, not the client leaving.
        var leftEarly = (scratch.LeftEarly || context.RequestAborted.IsCancellationRequested)
            && fault?.StartsWith("reset_after=", StringComparison.Ordinal) != true;
        return new JournalEntry
        {
            Sequence = sequence,
            Time = time,
            Method = request.Method,
            Path = path,
            Headers = JournalHeaders.Redact(request.Headers),
            Body = body,
            BodyTruncated = truncated,
            RequestHash = JournalBody.Hash(request.Method, path, scratch.Body.Span),
            Model = scratch.Model,
            Session = NonEmpty(request.Headers[RequestJournal.SessionHeader].ToString()),
            AnsweredBy = scratch.AnsweredBy,
            Fixture = scratch.Fixture,
            NearMisses = scratch.NearMisses,
            Fault = fault,
            Status = response.StatusCode,
            RetryAfterSeconds = int.TryParse(response.Headers.RetryAfter.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null,
            Stream = scratch.Stream,
            Frames = scratch.Frames,
            Done = scratch.Done,
            Duration = duration,
            LeftEarly = leftEarly,
        };
    }

    private static string? NonEmpty(string value) => value.Length == 0 ? null : value;
}
