using System.Globalization;
using Microsoft.Extensions.Primitives;
using MockServer.Faults;

namespace MockServer.Journal;

/// <summary>
/// One journaled request as it is kept: the raw facts taken while the request is handled (a copy of its headers, the
/// body bytes the pipeline already read, the scratch), turned into a <see cref="JournalEntry"/> only when someone reads
/// the journal. Redaction, decoding the body and hashing it cost nothing on a request nobody looks at, and an entry
/// kept is a few objects instead of a dictionary of strings, which matters at tens of thousands of requests a second
/// (bench/README.md, issue 9).
/// </summary>
internal sealed class JournalRecord
{
    private readonly KeyValuePair<string, StringValues>[] _headers = [];
    private readonly ReadOnlyMemory<byte> _body;
    private readonly JournalScratch? _scratch;
    private readonly string? _retryAfter;
    private readonly string? _faultApplied;
    private JournalEntry? _entry;

    /// <summary>A record of an entry built in full (tests, and anything that has one already).</summary>
    public JournalRecord(JournalEntry entry)
    {
        _entry = entry;
        Sequence = entry.Sequence;
        BodyLength = entry.Body?.Length ?? 0;
        Time = entry.Time;
        Method = entry.Method;
        Path = entry.Path;
    }

    public JournalRecord(HttpContext context, JournalScratch scratch, long sequence, DateTimeOffset time, TimeSpan duration)
    {
        var request = context.Request;
        var response = context.Response;
        Sequence = sequence;
        Time = time;
        Duration = duration;
        Method = request.Method;
        Path = request.Path;
        _headers = [.. request.Headers];
        _body = scratch.Body;
        BodyLength = _body.Length;
        _scratch = scratch;
        Status = response.StatusCode;
        _retryAfter = response.Headers.RetryAfter.Count == 0 ? null : response.Headers.RetryAfter.ToString();
        _faultApplied = response.Headers[FaultPlan.AppliedHeader].Count == 0 ? null : response.Headers[FaultPlan.AppliedHeader].ToString();
        Aborted = context.RequestAborted.IsCancellationRequested;
    }

    public long Sequence { get; }

    /// <summary>What the kept body costs (bytes, or the characters of an entry built in full), for the journal's body total.</summary>
    public int BodyLength { get; }

    private DateTimeOffset Time { get; }

    private TimeSpan Duration { get; }

    private string Method { get; }

    private string Path { get; }

    private int Status { get; }

    private bool Aborted { get; }

    /// <summary>The entry, built on first read and kept.</summary>
    public JournalEntry Entry => _entry ??= Build();

    private JournalEntry Build()
    {
        var scratch = _scratch!;
        var (body, truncated) = JournalBody.Text(_body.Span);
        var fault = scratch.Fault ?? _faultApplied;
        string? session = null;
        foreach (var (name, values) in _headers)
        {
            if (string.Equals(name, RequestJournal.SessionHeader, StringComparison.OrdinalIgnoreCase) && values.Count > 0 && values.ToString().Length > 0)
            {
                session = values.ToString();
            }
        }

        // A reset_after fault aborts the connection itself: that is the server's doing, not the client leaving.
        var leftEarly = (scratch.LeftEarly || Aborted) && fault?.StartsWith("reset_after=", StringComparison.Ordinal) != true;
        return new JournalEntry
        {
            Sequence = Sequence,
            Time = Time,
            Method = Method,
            Path = Path,
            Headers = JournalHeaders.Redact(_headers),
            Body = body,
            BodyTruncated = truncated,
            RequestHash = JournalBody.Hash(Method, Path, _body.Span),
            Model = scratch.Model,
            Session = session,
            AnsweredBy = scratch.AnsweredBy,
            Fixture = scratch.Fixture,
            NearMisses = scratch.NearMisses,
            Fault = fault,
            Status = Status,
            RetryAfterSeconds = int.TryParse(_retryAfter, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null,
            Stream = scratch.Stream,
            Frames = scratch.Frames,
            Done = scratch.Done,
            Duration = Duration,
            LeftEarly = leftEarly,
        };
    }
}
