using MockServer.Hosting;

namespace MockServer.Endpoints;

/// <summary>Log lines about streams the server ended itself.</summary>
internal static partial class StreamLog
{
    [LoggerMessage(EventId = LogEvents.WriteTimedOut, Level = LogLevel.Warning, Message = "Stream on {Path} ended: the client took nothing for {TimeoutMs} ms")]
    public static partial void WriteTimedOut(ILogger logger, string path, long timeoutMs);
}

/// <summary>
/// A stream ended because its reader stopped taking bytes (<see cref="MockServerOptions.WriteTimeout"/>): already
/// logged and the connection aborted, so the error boundary has nothing left to do.
/// </summary>
internal sealed class ClientStalledException() : OperationCanceledException("The client stopped reading the stream.");

/// <summary>
/// A stream's transport is done (the connection was aborted under it): the client is gone, whether or not the abort
/// signal has reached the request yet. Nothing to answer and nothing to log.
/// </summary>
internal sealed class ClientGoneException() : OperationCanceledException("The client's connection is gone.");
