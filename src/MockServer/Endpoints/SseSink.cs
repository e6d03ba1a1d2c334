using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using MockServer.Faults;
using MockServer.Hosting;
using MockServer.Timing;
using MockServer.Wire;

namespace MockServer.Endpoints;

/// <summary>
/// The SSE side of a streamed answer, shared by completions and chat (REVIEW.md, seam 4): the response headers, one
/// <c>data: {json}\n\n</c> event per frame flushed as it is written (the point where a slow reader holds the writer
/// back), the pause between frames, and <c>data: [DONE]\n\n</c> (spec-facts §4.1, §8). What an event says is the
/// endpoint's; one <see cref="Utf8JsonWriter"/> is reused for every event instead of one per frame. An event is
/// composed in the sink's own buffer and handed to the response pipe in one write: Kestrel's output takes a lock on
/// every GetMemory and Advance, and a JSON writer on the pipe itself made about seven of them per frame, an eighth of
/// a stream's CPU (bench/README.md, "Issue 11").
/// A stream fault armed by <see cref="FaultGate"/> acts here, counting frames (events from 1; <c>[DONE]</c> is not
/// one), so it reaches both endpoints alike. Once a fault has ended the stream the sink swallows what the writer
/// still sends; without a fault every path is the plain one and the bytes are unchanged.
/// </summary>
internal sealed class SseSink : IDisposable
{
    private PipeWriter _pipe; // swapped for a discarding writer once an eviction has ended the stream
    private readonly ArrayBufferWriter<byte> _event = new(512); // the event being written: "data: ", its JSON, "\n\n"
    private readonly Utf8JsonWriter _json;
    private readonly MockServerOptions _options;
    private readonly CancellationToken _cancellationToken;
    private readonly HttpContext _context;
    private readonly ArmedFault? _fault;
    private readonly EvictionTicket? _eviction; // set for every admitted stream (Admission); null in unit harnesses
    private readonly Journal.JournalScratch? _journal; // the request's journal entry: events sent, [DONE] or not
    private CancellationTokenSource? _waits; // the client's token linked with the eviction signal, made on the first wait
    private ArrayBufferWriter<byte>? _discard; // where a swallowed or malformed event's JSON goes
    private int _frames;
    private bool _malformed;
    private bool _stallPending;
    private bool _endPending;
    private bool _ended;

    private SseSink(HttpContext context, PipeWriter pipe, MockServerOptions options, CancellationToken cancellationToken)
    {
        _context = context;
        _journal = context.Features.Get<Journal.JournalScratch>();
        _pipe = Journal.JournalTee.Over(_journal, pipe); // the journal keeps the frames as sent
        _json = new Utf8JsonWriter(_event, WireJson.WriterOptions);
        _options = options;
        _cancellationToken = cancellationToken;
        _fault = context.Features.Get<ArmedFault>();
        _eviction = context.Features.Get<EvictionTicket>();
        _journal?.Stream = true;
    }

    /// <summary>Answers 200 with the event-stream headers; nothing is sent until the first event is flushed.</summary>
    public static SseSink Start(HttpContext context, MockServerOptions options, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8"; // as vLLM/Starlette send it (spec-facts §4.1)
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new SseSink(context, response.BodyWriter, options, cancellationToken);
    }

    /// <summary>Opens an event: the returned writer takes its JSON payload, then <see cref="EndEventAsync"/> or <see cref="EndEvent"/> closes it.</summary>
    public Utf8JsonWriter BeginEvent()
    {
        if (_fault is not null && FaultBegin())
        {
            return _json;
        }

        Sent(_ended ? 0 : 1); // after an eviction the pipe is a discard: nothing goes out
        _event.ResetWrittenCount();
        _event.Write("data: "u8);
        _json.Reset(_event);
        return _json;
    }

    /// <summary>Closes the event and flushes it to the client.</summary>
    public ValueTask<FlushResult> EndEventAsync()
    {
        if (_fault is not null)
        {
            return FaultEndEventAsync();
        }

        EndEvent();
        return EvictionDue ? EndByEvictionAsync() : FlushAsync();
    }

    /// <summary>Closes the event without flushing, so it leaves with whatever is written next (a usage chunk with <c>[DONE]</c>).</summary>
    public void EndEvent()
    {
        _json.Flush();
        if (_fault is not null && FaultEnd())
        {
            return;
        }

        _event.Write("\n\n"u8);
        _pipe.Write(_event.WrittenSpan);
    }

    /// <summary>False once a fault has ended the stream: what the writer still sends goes nowhere.</summary>
    public bool Delivering => !_ended;

    /// <summary>
    /// Waits until token <paramref name="token"/> of the request is due (<see cref="TokenClock"/>); not once a fault has
    /// ended the stream. An eviction during the wait ends the stream at once (<see cref="Delivering"/> turns false).
    /// </summary>
    public Task WaitForTokenAsync(TokenClock clock, int token) =>
        _ended || clock.IsImmediate ? Task.CompletedTask
        : _eviction is null ? clock.WaitForTokenAsync(token, _cancellationToken)
        : WaitOrEvictAsync(clock.WaitForTokenAsync(token, WaitToken));

    /// <summary>Ends the stream with <c>data: [DONE]</c>; nothing follows it.</summary>
    public ValueTask<FlushResult> DoneAsync()
    {
        _eviction?.Finish(); // the end is sent: an eviction from now on has nothing to end
        if (_fault is not null)
        {
            return FaultDoneAsync();
        }

        Sent(1, done: true);
        _pipe.Write("data: [DONE]\n\n"u8);
        return FlushAsync();
    }

    public void Dispose()
    {
        _json.Dispose();
        _waits?.Dispose();
    }

    /// <summary>What a wait between frames stops on: the client leaving, or the stream's model being evicted.</summary>
    private CancellationToken WaitToken => _eviction is null ? _cancellationToken
        : (_waits ??= CancellationTokenSource.CreateLinkedTokenSource(_cancellationToken, _eviction.Signal)).Token;

    /// <summary>
    /// Awaits a wait between frames; cut short by an eviction, it ends the stream there and then, with the error event
    /// and <c>[DONE]</c> (a stream waiting a long time to first token is not held until its next frame).
    /// </summary>
    private async Task WaitOrEvictAsync(Task wait)
    {
        try
        {
            await wait.ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (EvictionDue)
        {
            await EndByEvictionAsync().ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Flushes what is written. A flush completes once the transport has taken the bytes, so awaiting it is where a
    /// reader that stopped reading holds the writer (and so the generator) back; one that makes no progress for
    /// <see cref="MockServerOptions.WriteTimeout"/> ends the request (issue 8), logged, and the connection is aborted.
    /// A timer is armed only when the flush does not complete at once. A flush whose result says the transport is
    /// done (the connection was aborted: the client reset it) ends the stream too: writes to it would be dropped and
    /// every flush complete at once, so the generator would otherwise run on, unread and charged, until the abort
    /// signal arrives through a thread pool the spinning streams keep busy.
    /// </summary>
    private ValueTask<FlushResult> FlushAsync()
    {
        var flush = _pipe.FlushAsync(_cancellationToken);
        if (!flush.IsCompleted)
        {
            return AwaitFlushAsync(flush);
        }

        var result = flush.Result;
        return result.IsCompleted ? throw new ClientGoneException() : new ValueTask<FlushResult>(result);
    }

    private async ValueTask<FlushResult> AwaitFlushAsync(ValueTask<FlushResult> flush)
    {
        try
        {
            var result = await flush.AsTask().WaitAsync(_options.WriteTimeout, _options.TimeProvider, _cancellationToken).ConfigureAwait(false);
            return result.IsCompleted ? throw new ClientGoneException() : result;
        }
        catch (TimeoutException)
        {
            var logger = _context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MockServer.Streams");
            StreamLog.WriteTimedOut(logger, _context.Request.Path, (long)_options.WriteTimeout.TotalMilliseconds);
            _context.Abort();
            throw new ClientStalledException();
        }
    }

    /// <summary>Starts frame N of a faulted stream; true when its JSON goes to the discard buffer instead of the wire.</summary>
    private bool FaultBegin()
    {
        var plan = _fault!.Plan;
        if (!_ended)
        {
            _frames++;
            _malformed = plan.Kind == FaultKind.MalformedAt && _frames == plan.Frame;
            _stallPending |= plan.Kind == FaultKind.StallBefore && _frames == plan.Frame;
        }

        if (!_ended && !_malformed)
        {
            return false;
        }

        _discard ??= new ArrayBufferWriter<byte>(256);
        _discard.ResetWrittenCount();
        _json.Reset(_discard);
        return true;
    }

    /// <summary>Closes frame N of a faulted stream; true when the event's ending has been handled here.</summary>
    private bool FaultEnd()
    {
        if (_ended)
        {
            return true;
        }

        var plan = _fault!.Plan;
        _endPending = (plan.Kind is FaultKind.ErrorAfter or FaultKind.DisconnectAfter or FaultKind.ResetAfter) && _frames == plan.Frame;
        if (!_malformed)
        {
            return false;
        }

        _malformed = false;
        _pipe.Write("data: {not json\n\n"u8); // a frame no JSON parser accepts (issue 8, "a malformed frame at N")
        Sent(1);
        _fault.LogApplied(_frames);
        return true;
    }

    private async ValueTask<FlushResult> FaultEndEventAsync()
    {
        EndEvent();
        if (_ended)
        {
            return default;
        }

        await StallIfDueAsync().ConfigureAwait(false);
        if (_ended)
        {
            return default; // evicted during the stall: the held frame left with the error event
        }

        if (EvictionDue)
        {
            return await EndByEvictionAsync().ConfigureAwait(false);
        }

        var result = await FlushAsync().ConfigureAwait(false);
        if (_endPending)
        {
            await EndByFaultAsync().ConfigureAwait(false);
        }

        return result;
    }

    private async ValueTask<FlushResult> FaultDoneAsync()
    {
        if (_ended)
        {
            return default;
        }

        await StallIfDueAsync().ConfigureAwait(false);
        if (_ended)
        {
            return default;
        }

        if (_endPending)
        {
            // The last frame was closed without a flush (a usage chunk meant to leave with [DONE]): it leaves now, with the fault.
            await EndByFaultAsync().ConfigureAwait(false);
            return default;
        }

        Sent(1, done: true);
        _pipe.Write("data: [DONE]\n\n"u8);
        return await FlushAsync().ConfigureAwait(false);
    }

    /// <summary>Holds the frame that is written but not yet flushed for the stall's time, on the injected clock.</summary>
    private async Task StallIfDueAsync()
    {
        if (!_stallPending)
        {
            return;
        }

        _stallPending = false;
        _fault!.LogApplied(_frames - 1);
        await WaitOrEvictAsync(Task.Delay(_fault.Plan.Stall, _options.TimeProvider, WaitToken)).ConfigureAwait(false);
    }

    /// <summary>
    /// Whether the stream's model has been evicted (<c>POST /admin/models/{id}/evict</c>) and this stream has not ended
    /// yet: checked as each flushed frame closes, so the frame being produced when the eviction came is the last one.
    /// </summary>
    private bool EvictionDue => _eviction is { Requested: true } && !_ended;

    /// <summary>
    /// Ends an evicted stream after the frame just written: the error event and <c>[DONE]</c> leave with it in one flush
    /// (spec-facts §4.6, §11 item 5), and whatever the writer still sends goes nowhere, with no pacing between.
    /// </summary>
    private async ValueTask<FlushResult> EndByEvictionAsync()
    {
        _ended = true;
        if (!_context.Response.HasStarted)
        {
            // Evicted before its first flush: the headers have not left, so the client can still be told.
            _context.Response.Headers.Append(FaultPlan.AppliedHeader, "evicted");
        }

        WriteErrorEventAndDone(FaultErrors.Evicted(_eviction!.Model, FaultErrors.ByAdmin, _eviction.Restarting));
        var result = await FlushAsync().ConfigureAwait(false);
        _pipe = PipeWriter.Create(Stream.Null);
        _eviction.Ended();
        return result;
    }

    /// <summary>
    /// Writes <c>data: {"error": …}</c> then <c>data: [DONE]</c>; the caller flushes. spec-facts §4.6, §11 item 5: the
    /// status is already 200, so the error is an event.
    /// </summary>
    private void WriteErrorEventAndDone(Errors.ApiError error)
    {
        _event.ResetWrittenCount();
        _event.Write("data: "u8);
        _json.Reset(_event);
        ErrorJson.Write(_json, error, Dialects.RequestDialect.Of(_context));
        _json.Flush();
        _event.Write("\n\ndata: [DONE]\n\n"u8);
        _pipe.Write(_event.WrittenSpan);
        Sent(2, done: true);
    }

    /// <summary>Counts SSE events written to the client for the journal (issue 9): frames, error events and <c>[DONE]</c>.</summary>
    private void Sent(int events, bool done = false)
    {
        if (_journal is not null)
        {
            _journal.Frames += events;
            _journal.Done |= done;
        }
    }

    /// <summary>Ends the stream as the fault says after frame N; from here on the sink writes nothing.</summary>
    private async Task EndByFaultAsync()
    {
        _endPending = false;
        _ended = true;
        _eviction?.Finish();
        _fault!.LogApplied(_frames);
        switch (_fault.Plan.Kind)
        {
            case FaultKind.ErrorAfter:
                WriteErrorEventAndDone(FaultErrors.Evicted(_fault.Model));
                await FlushAsync().ConfigureAwait(false);
                break;
            case FaultKind.ResetAfter:
                await FlushAsync().ConfigureAwait(false);
                _context.Abort();
                break;
            default:
                // disconnect_after: the handler returns and the server closes the body cleanly, without [DONE].
                await FlushAsync().ConfigureAwait(false);
                break;
        }
    }
}
