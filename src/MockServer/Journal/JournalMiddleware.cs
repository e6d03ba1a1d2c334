using MockServer.Hosting;

namespace MockServer.Journal;

/// <summary>
/// CONTRACT SKELETON (helper "journal" completes it): the outermost middleware; gives each request a
/// <see cref="JournalScratch"/>, and once the answer is complete adds its <see cref="JournalEntry"/>.
/// </summary>
internal sealed class JournalMiddleware(RequestDelegate next, RequestJournal journal, MockServerOptions options)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (journal.Capacity == 0)
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
            journal.Add(new JournalEntry
            {
                Sequence = sequence,
                Time = time,
                Method = context.Request.Method,
                Path = context.Request.Path,
                Model = scratch.Model,
                Session = context.Request.Headers[RequestJournal.SessionHeader].FirstOrDefault(),
                Status = context.Response.StatusCode,
                Duration = options.TimeProvider.GetElapsedTime(started),
                LeftEarly = scratch.LeftEarly || context.RequestAborted.IsCancellationRequested,
            });
        }
    }
}
