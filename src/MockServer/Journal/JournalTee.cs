using System.IO.Pipelines;

namespace MockServer.Journal;

/// <summary>
/// The stream's writer when the journal keeps the request: every byte the SSE sink commits (<see cref="Advance"/>) is
/// copied to the request's <see cref="JournalScratch"/> before it goes on to the response's own writer, so the entry
/// holds the frames exactly as sent (issue 11). Not a wrapper of the response body: only the sink writes through it,
/// and without a journal the sink writes to the response's writer directly (<see cref="Over"/>).
/// </summary>
internal sealed class JournalTee(PipeWriter inner, JournalScratch scratch) : PipeWriter
{
    private Memory<byte> _last; // what the last GetMemory/GetSpan handed out: Advance commits the start of it

    /// <summary>The writer a stream writes to: <paramref name="pipe"/> itself unless the journal keeps this request.</summary>
    public static PipeWriter Over(JournalScratch? scratch, PipeWriter pipe) => scratch is null ? pipe : new JournalTee(pipe, scratch);

    public override bool CanGetUnflushedBytes => inner.CanGetUnflushedBytes;

    public override long UnflushedBytes => inner.UnflushedBytes;

    public override void Advance(int bytes)
    {
        scratch.NoteSent(_last.Span[..bytes]);
        _last = default;
        inner.Advance(bytes);
    }

    public override Memory<byte> GetMemory(int sizeHint = 0) => _last = inner.GetMemory(sizeHint);

    public override Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

    public override ValueTask<FlushResult> FlushAsync(CancellationToken cancellationToken = default) => inner.FlushAsync(cancellationToken);

    public override void CancelPendingFlush() => inner.CancelPendingFlush();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);
}
