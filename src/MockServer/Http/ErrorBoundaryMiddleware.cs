using MockServer.Errors;
using MockServer.Hosting;

namespace MockServer.Http;

/// <summary>
/// The last line of defence: whatever escapes a handler becomes an envelope, never a bare 500 page, and a client
/// that hangs up mid-stream is not an error at all.
/// </summary>
internal sealed partial class ErrorBoundaryMiddleware(RequestDelegate next, ILogger<ErrorBoundaryMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException ex) when (context.RequestAborted.IsCancellationRequested || ex is Endpoints.ClientStalledException or Endpoints.ClientGoneException)
        {
            // The client went away, or stopped reading and was cut off (logged where it happened); nothing to answer.
            context.Features.Get<Journal.JournalScratch>()?.LeftEarly = true;
        }
        catch (BadHttpRequestException ex) when (!context.Response.HasStarted)
        {
            // Kestrel's own limits and framing errors (e.g. a malformed chunked body).
            await ErrorWriter.WriteAsync(context, ApiError.BadHttpRequest(ex.StatusCode)).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogUnhandled(logger, context.Request.Method, context.Request.Path, ex);
            if (context.Response.HasStarted)
            {
                context.Abort(); // a half-written body cannot be turned into an error any more
                return;
            }

            context.Response.Clear();
            context.Features.Get<Journal.JournalScratch>()?.ResetResponse(); // the body noted before the throw was never sent
            await ErrorWriter.WriteAsync(context, ApiError.Internal()).ConfigureAwait(false);
        }
    }

    [LoggerMessage(EventId = LogEvents.Unhandled, Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception exception);
}
