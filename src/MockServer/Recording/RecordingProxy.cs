using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using MockServer.Errors;
using MockServer.Hosting;
using MockServer.Wire;

namespace MockServer.Recording;

/// <summary>
/// Record mode (issue 9, "Record and replay"): forwards a request to the upstream with the upstream's key (never the
/// client's), relays the answer as it arrives (a stream frame by frame, each flushed at once) and writes the
/// exchange to a recording file. The key is scrubbed from everything relayed or written, and only allow-listed
/// headers come back (<see cref="HeaderRules"/>). An upstream that cannot be reached is answered, and recorded, as a
/// structured 502; an upstream error status is relayed and recorded as it came.
/// </summary>
internal sealed partial class RecordingProxy : IDisposable
{
    /// <summary>A non-streamed answer larger than this is refused (502), not buffered: no real completion is this big.</summary>
    private const int MaxBodyBytes = 64 * 1024 * 1024;

    private readonly Uri _upstream;
    private readonly string? _key;
    private readonly SecretScrubber _scrubber;
    private readonly RecordingWriter _writer;
    private readonly TimeProvider _time;
    private readonly ILogger<RecordingProxy> _logger;
    private readonly HttpClient _http;
    private readonly int _maxRecordedBytes;

    /// <param name="upstream">The upstream's base URL (…/v1).</param>
    /// <param name="key">The upstream's key, or null to send none.</param>
    /// <param name="writer">Where recordings go.</param>
    /// <param name="options">The server's options (its clock).</param>
    /// <param name="logger">Where what was (not) recorded is logged.</param>
    /// <param name="handler">The HTTP handler to the upstream; sockets by default.</param>
    /// <param name="maxRecordedBytes">How much of a stream is kept for its recording (<see cref="MaxBodyBytes"/>; a test sets less).</param>
    public RecordingProxy(Uri upstream, string? key, RecordingWriter writer, MockServerOptions options, ILogger<RecordingProxy> logger, HttpMessageHandler? handler = null, int maxRecordedBytes = MaxBodyBytes)
    {
        _maxRecordedBytes = maxRecordedBytes;
        _upstream = upstream;
        _key = key;
        _scrubber = new SecretScrubber(key);
        _writer = writer;
        _time = options.TimeProvider;
        _logger = logger;
        _http = new HttpClient(handler ?? new SocketsHttpHandler
        {
            AutomaticDecompression = DecompressionMethods.All,
            AllowAutoRedirect = false,
            UseCookies = false, // an upstream's Set-Cookie must not ride along on the next request (nor be kept at all)
            ActivityHeadersPropagator = null, // forward what the client sent, not a trace context of the mock's own
        })
        {
            Timeout = Timeout.InfiniteTimeSpan, // a stream lasts as long as it lasts; the client's leaving cancels it
            MaxResponseContentBufferSize = MaxBodyBytes,
        };
    }

    public SecretScrubber Scrubber => _scrubber;

    public void Dispose() => _http.Dispose();

    /// <param name="context">The client's request, its body already read.</param>
    /// <param name="request">What is being recorded: endpoint, path, match keys.</param>
    /// <param name="body">The body bytes as the client sent them (forwarded unchanged).</param>
    /// <param name="started">The request's start on the injected clock: offsets count from here.</param>
    public async Task HandleAsync(HttpContext context, RequestFacts request, ReadOnlyMemory<byte> body, long started)
    {
        var aborted = context.RequestAborted;
        using var message = Forward(context, body);
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            return; // the client left before the upstream answered: nothing to relay or record
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException)
        {
            await AnswerUnreachableAsync(context, request, started, ex).ConfigureAwait(false);
            return;
        }

        using (response)
        {
            var headers = Recorded(response);
            var streamed = response.Content.Headers.ContentType?.MediaType?.Equals("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;
            RecordedExchange exchange;
            bool recorded;
            try
            {
                if (!streamed)
                {
                    await RelayBodyAsync(context, request, response, headers, started).ConfigureAwait(false);
                    return;
                }

                (exchange, recorded) = await RelayStreamAsync(context, request, response, headers, started).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException && aborted.IsCancellationRequested)
            {
                LogNotRecorded(_logger, request.Method, request.Path);
                return;
            }

            // A stream's end reaches the client only when this returns, so its file is on disk first (a body is saved
            // before it is written): a client holding a whole answer can replay it at once.
            if (recorded)
            {
                SaveStream(exchange);
            }

            if (exchange.Reset)
            {
                context.Abort(); // the upstream broke the stream off: the client sees the same
            }
        }
    }

    private HttpRequestMessage Forward(HttpContext context, ReadOnlyMemory<byte> body)
    {
        // The base URL is the OpenAI one (…/v1); the client's path after /v1 and its query go after it.
        var rest = context.Request.Path.Value!["/v1".Length..];
        var target = new Uri(_upstream.ToString().TrimEnd('/') + rest + context.Request.QueryString.ToUriComponent());
        var message = new HttpRequestMessage(new HttpMethod(context.Request.Method), target);
        if (HttpMethods.IsPost(context.Request.Method))
        {
            message.Content = new ReadOnlyMemoryContent(body);
            if (context.Request.ContentType is { } type)
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (HeaderRules.IsForwarded(name))
            {
                message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        if (_key is not null)
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key);
        }

        return message;
    }

    private List<KeyValuePair<string, string>> Recorded(HttpResponseMessage response) =>
        [.. response.Headers.Concat(response.Content.Headers)
            .Where(h => HeaderRules.IsRecorded(h.Key))
            .Select(h => KeyValuePair.Create(h.Key, _scrubber.Scrub(string.Join(", ", h.Value))))];

    private static void Begin(HttpContext context, int status, List<KeyValuePair<string, string>> headers)
    {
        context.Response.StatusCode = status;
        foreach (var (name, value) in headers)
        {
            context.Response.Headers[name] = value;
        }
    }

    /// <returns>The exchange, and whether it is to be recorded (not when the stream outgrew what is kept for one).</returns>
    private async Task<(RecordedExchange Exchange, bool Recorded)> RelayStreamAsync(
        HttpContext context, RequestFacts request, HttpResponseMessage response, List<KeyValuePair<string, string>> headers, long started)
    {
        var aborted = context.RequestAborted;
        var journal = context.Features.Get<Journal.JournalScratch>();
        journal?.Stream = true;
        Begin(context, (int)response.StatusCode, headers);
        await using var upstream = await response.Content.ReadAsStreamAsync(aborted).ConfigureAwait(false);
        var splitter = new SseFrameSplitter(_maxRecordedBytes);
        var frames = new List<RecordedFrame>();
        var kept = 0L;
        var recording = true;
        var buffer = new byte[16 * 1024];
        var reset = false;

        async Task SendAsync(byte[] bytes)
        {
            var frame = _scrubber.Scrub(bytes);
            if (recording && (kept += frame.Length) > _maxRecordedBytes)
            {
                // Memory stays bounded however long the upstream streams: the client still gets every byte, the
                // recording is given up (a half recording would replay a different answer).
                recording = false;
                frames.Clear();
                LogTooLong(_logger, request.Method, request.Path, _maxRecordedBytes);
            }

            if (recording)
            {
                frames.Add(new RecordedFrame(frame, _time.GetElapsedTime(started)));
            }

            journal?.NoteSent(frame.Span);
            await context.Response.Body.WriteAsync(frame, aborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            if (journal is not null)
            {
                journal.Frames++;
                journal.Done |= frame.Span.StartsWith("data: [DONE]"u8);
            }
        }

        while (true)
        {
            int read;
            try
            {
                read = await upstream.ReadAsync(buffer, aborted).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException && !aborted.IsCancellationRequested)
            {
                reset = true; // the upstream broke the connection mid-stream
                break;
            }

            if (read == 0)
            {
                break;
            }

            foreach (var frame in splitter.Push(buffer.AsSpan(0, read)))
            {
                await SendAsync(frame).ConfigureAwait(false);
            }
        }

        if (splitter.Rest() is { Length: > 0 } rest)
        {
            await SendAsync(rest).ConfigureAwait(false); // a stream cut mid-event keeps its last bytes too
        }

        return (new RecordedExchange
        {
            Name = "", Endpoint = request.Endpoint, Method = request.Method, Path = request.Path, Match = request.Match,
            Status = (int)response.StatusCode, Headers = headers, Frames = frames, Reset = reset,
        }, recording);
    }

    /// <summary>An answer that is not streamed: read whole, saved, then written (the recording is on disk before the client has the answer).</summary>
    private async Task RelayBodyAsync(
        HttpContext context, RequestFacts request, HttpResponseMessage response, List<KeyValuePair<string, string>> headers, long started)
    {
        byte[] raw;
        try
        {
            raw = await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException && !context.RequestAborted.IsCancellationRequested)
        {
            await AnswerUnreachableAsync(context, request, started, ex).ConfigureAwait(false);
            return;
        }

        var body = _scrubber.Scrub(raw);
        var exchange = new RecordedExchange
        {
            Name = "", Endpoint = request.Endpoint, Method = request.Method, Path = request.Path, Match = request.Match,
            Status = (int)response.StatusCode, Headers = headers, Body = body, BodyOffset = _time.GetElapsedTime(started),
        };
        Save(exchange);
        await WriteAsync(context, exchange).ConfigureAwait(false);
    }

    private static async Task WriteAsync(HttpContext context, RecordedExchange exchange)
    {
        Begin(context, exchange.Status, [.. exchange.Headers]);
        if (HeaderRules.HasBody(exchange.Status))
        {
            context.Response.ContentLength = exchange.Body.Length;
            Journal.JournalScratch.NoteSent(context, exchange.Body.Span);
            await context.Response.Body.WriteAsync(exchange.Body, context.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>502 with the envelope (never a 500 of the mock's own), recorded like any answer so replay tells the same story.</summary>
    private async Task AnswerUnreachableAsync(HttpContext context, RequestFacts request, long started, Exception ex)
    {
        var reason = ex is OperationCanceledException ? "the request timed out" : _scrubber.Scrub(ex.Message);
        var error = new ApiError(502, $"Record mode could not get an answer from the upstream {_upstream.GetLeftPart(UriPartial.Authority)}: {reason}", "upstream_error", null, "upstream_unreachable");
        LogUnreachable(_logger, _upstream.GetLeftPart(UriPartial.Authority), reason);
        var body = Http.ErrorWriter.Body(context, error).ToArray(); // the server's dialect: no model answered
        List<KeyValuePair<string, string>> headers = [KeyValuePair.Create("Content-Type", "application/json")];
        var exchange = new RecordedExchange
        {
            Name = "", Endpoint = request.Endpoint, Method = request.Method, Path = request.Path, Match = request.Match,
            Status = error.Status, Headers = headers, Body = body, BodyOffset = _time.GetElapsedTime(started),
        };
        Save(exchange);
        if (!context.Response.HasStarted)
        {
            await WriteAsync(context, exchange).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// A stream is scrubbed frame by frame, so a key the upstream sent in pieces passes each frame: joined, as a client
    /// joins them, they would put it on disk. Such a recording is not written at all.
    /// </summary>
    private void SaveStream(RecordedExchange exchange)
    {
        if (StreamedSecretCheck.Leaks(exchange.Frames!, _scrubber))
        {
            LogNotWritten(_logger, exchange.Method, exchange.Path, _writer.Directory, "the upstream streamed its key in pieces across frames (joined, they hold it), so this recording is not written");
            return;
        }

        Save(exchange);
    }

    /// <summary>Writes the recording; a disk that refuses is logged, and the client still gets its answer.</summary>
    private void Save(RecordedExchange exchange)
    {
        try
        {
            var file = _writer.Write(exchange, _upstream, _scrubber);
            LogRecorded(_logger, exchange.Method, exchange.Path, exchange.Status, file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogNotWritten(_logger, exchange.Method, exchange.Path, _writer.Directory, ex.Message);
        }
    }

    [LoggerMessage(EventId = RecordingLog.Recorded, Level = LogLevel.Information, Message = "Recorded {Method} {Path} ({Status}) as {File}")]
    private static partial void LogRecorded(ILogger logger, string method, string path, int status, string file);

    [LoggerMessage(EventId = RecordingLog.NotRecorded, Level = LogLevel.Information, Message = "Not recorded: the client left {Method} {Path} before the answer ended")]
    private static partial void LogNotRecorded(ILogger logger, string method, string path);

    [LoggerMessage(EventId = RecordingLog.NotWritten, Level = LogLevel.Error, Message = "Record mode could not write the recording of {Method} {Path} to {Directory}: {Reason}")]
    private static partial void LogNotWritten(ILogger logger, string method, string path, string directory, string reason);

    [LoggerMessage(EventId = RecordingLog.TooLong, Level = LogLevel.Warning, Message = "Not recorded: the stream of {Method} {Path} outgrew {Limit} bytes; it is relayed whole, but not kept")]
    private static partial void LogTooLong(ILogger logger, string method, string path, int limit);

    [LoggerMessage(EventId = RecordingLog.Unreachable, Level = LogLevel.Warning, Message = "Record mode: the upstream {Upstream} did not answer: {Reason}")]
    private static partial void LogUnreachable(ILogger logger, string upstream, string reason);
}

/// <summary>What identifies the request being recorded or replayed.</summary>
internal sealed record RequestFacts(string Endpoint, string Method, string Path, string Match);

/// <summary>Log event ids of record and replay, numbered apart from <see cref="LogEvents"/> so slices do not collide.</summary>
internal static class RecordingLog
{
    public const int Recorded = 60;
    public const int NotRecorded = 61;
    public const int Unreachable = 62;
    public const int NotWritten = 63;
    public const int TooLong = 64;
}
