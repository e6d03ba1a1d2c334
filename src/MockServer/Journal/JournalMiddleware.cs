using MockServer.Admin;
using MockServer.Hosting;

namespace MockServer.Journal;

/// <summary>
/// The outermost middleware but one (issue 9, "Request journal"; RequestsInFlightMiddleware is outside it): gives each request a <see cref="JournalScratch"/> that its
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
            // The raw facts only: the entry is built when someone reads the journal (JournalSlot).
            journal.Add(context, scratch, sequence, time, options.TimeProvider.GetElapsedTime(started));
        }
    }
}
