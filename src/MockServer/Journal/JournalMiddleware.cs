using MockServer.Admin;
using MockServer.Hosting;
using MockServer.Workbench;

namespace MockServer.Journal;

/// <summary>
/// The outermost middleware but one (issue 9, "Request journal"; RequestsInFlightMiddleware is outside it): gives each request a <see cref="JournalScratch"/> that its
/// handling fills, and once the answer is complete adds its <see cref="JournalEntry"/>, built from the request, the
/// scratch and the response (status, <c>Retry-After</c>, <c>X-Mock-Fault-Applied</c>).
/// </summary>
/// <remarks>
/// Requests under <c>/admin</c> are not journaled: reading or clearing the journal must not change it, and the admin
/// surface is the test's own control channel, not the client under test. Nor are those under <c>/workbench</c> (issue 11):
/// the page's own files say nothing about the client under test (the page's <c>/v1</c> requests are journaled). With the
/// workbench off, <c>/workbench</c> is an ordinary path whose 404 is journaled like any other.
/// </remarks>
internal sealed class JournalMiddleware(RequestDelegate next, RequestJournal journal, MockServerOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path;
        if (journal.Capacity == 0 || path.StartsWithSegments(AdminRoutes.Prefix, StringComparison.OrdinalIgnoreCase) || (options.EnableWorkbench && WorkbenchRoutes.IsWorkbench(path)))
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
            scratch.Release(); // the response's copy is in the ring now
        }
    }
}
