using MockServer.Endpoints;
using MockServer.Hosting;

namespace MockServer.Recording;

/// <summary>
/// Replay (issue 9, "Record and replay"): answers a request that matches a recording with the recorded status,
/// allow-listed headers and bytes: each frame as recorded, except the top-level ids and <c>created</c>
/// (regenerated unless pinned), paced as asked (<see cref="ReplayTiming"/>) on the injected clock. A stream the
/// upstream broke off is broken off again; an error frame mid-stream is sent like any frame.
/// </summary>
internal sealed class Replayer(RecordingSet recordings, RequestIds ids, MockServerOptions options)
{
    /// <summary>The longest due time a timer takes (<c>uint.MaxValue - 1</c> milliseconds); beyond it CreateTimer throws.</summary>
    private static readonly TimeSpan MaxTimerWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly ReplayTiming _timing = ReplayTiming.Parse(options.ReplayTiming);

    public RecordedExchange? Find(string key) => recordings.Next(key);

    /// <summary>A request recorded more than once replays its first recording again.</summary>
    public void Reset() => recordings.Reset();

    /// <summary>The pacing for this request: the header's, or the server's.</summary>
    /// <exception cref="FormatException">The header is not a timing.</exception>
    public ReplayTiming TimingFor(HttpContext context) =>
        context.Request.Headers[HeaderRules.ReplayTimingHeader] is [{ } value] ? ReplayTiming.Parse(value) : _timing;

    public async Task ReplayAsync(HttpContext context, RecordedExchange exchange, ReplayTiming timing, long started)
    {
        var time = options.TimeProvider;
        var aborted = context.RequestAborted;
        var pinned = exchange.Pinned || options.ReplayPinIds;
        var rewriter = pinned ? null : new IdRewriter(ids, time.GetUtcNow().ToUnixTimeSeconds());
        context.Response.StatusCode = exchange.Status;
        foreach (var (name, value) in exchange.Headers)
        {
            context.Response.Headers[name] = value;
        }

        if (exchange.Frames is not { } frames)
        {
            var body = rewriter?.RewriteBody(exchange.Body) ?? exchange.Body;
            await WaitAsync(timing.Due(exchange.BodyOffset)).ConfigureAwait(false);
            if (HeaderRules.HasBody(exchange.Status))
            {
                context.Response.ContentLength = body.Length;
                Journal.JournalScratch.NoteSent(context, body.Span);
                await context.Response.Body.WriteAsync(body, aborted).ConfigureAwait(false);
            }
            return;
        }

        var journal = context.Features.Get<Journal.JournalScratch>();
        journal?.Stream = true;
        foreach (var frame in frames)
        {
            await WaitAsync(timing.Due(frame.Offset)).ConfigureAwait(false);
            var bytes = rewriter?.RewriteFrame(frame.Bytes) ?? frame.Bytes;
            journal?.NoteSent(bytes.Span);
            await context.Response.Body.WriteAsync(bytes, aborted).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(aborted).ConfigureAwait(false);
            if (journal is not null)
            {
                journal.Frames++;
                journal.Done |= frame.Bytes.Span.StartsWith("data: [DONE]"u8);
            }
        }

        if (exchange.Reset)
        {
            context.Abort();
        }

        // One timer per wait, on the injected clock, and none when the frame is already due (a test's fake clock then
        // sees exactly one pending timer while a frame is awaited).
        // A timer cannot be set further than MaxTimerWait (about 49 days) ahead, while a recorded offset (up to a day)
        // scaled by up to 1000 can be: a longer wait is taken in turns, each at most that long.
        async Task WaitAsync(TimeSpan due)
        {
            TimeSpan wait;
            while ((wait = due - time.GetElapsedTime(started)) > TimeSpan.Zero)
            {
                await ExactDelayAsync(time, wait < MaxTimerWait ? wait : MaxTimerWait, aborted).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// A wait of exactly <paramref name="wait"/> on the clock. <c>Task.Delay(TimeSpan, TimeProvider)</c> truncates to
    /// whole milliseconds (and skips a wait under one), while offsets are recorded to the microsecond.
    /// </summary>
    private static async Task ExactDelayAsync(TimeProvider time, TimeSpan wait, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var timer = time.CreateTimer(static state => ((TaskCompletionSource)state!).TrySetResult(), done, wait, Timeout.InfiniteTimeSpan);
        await using (timer.ConfigureAwait(false))
        {
            using var registration = cancellationToken.Register(() => done.TrySetCanceled(cancellationToken));
            await done.Task.ConfigureAwait(false);
        }
    }
}
