namespace MockServer.Hosting;

/// <summary>The outermost middleware: registers each request in <see cref="RequestsInFlight"/> until the journal's and the charge's finally blocks inside it have run.</summary>
internal sealed class RequestsInFlightMiddleware(RequestDelegate next, RequestsInFlight inFlight)
{
    public async Task InvokeAsync(HttpContext context)
    {
        var done = inFlight.Begin(context);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            inFlight.End(done);
        }
    }
}
