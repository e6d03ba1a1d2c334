using System.Globalization;
using System.Text;
using MockServer.Faults;

namespace MockServer.Journal;

/// <summary>
/// One place in the journal's ring, reused from request to request: a request's fixed-size facts here, its path,
/// headers, model and body as bytes in <see cref="JournalBytes"/>. The <see cref="JournalEntry"/> is built only when
/// someone reads the journal, so redaction, decoding and hashing cost nothing on a request nobody looks at, and keeping
/// a request holds no object of its own past the request (bench/README.md, issue 9).
/// </summary>
/// <remarks>Touched only under the journal's lock.</remarks>
internal sealed class JournalSlot
{
    /// <summary>Most bytes of a body kept: enough for <see cref="RequestJournal.MaxBodyChars"/> characters of UTF-8.</summary>
    public const int MaxBodyBytes = 3 * RequestJournal.MaxBodyChars;

    /// <summary>Most bytes of a response copied while it is written: enough for <see cref="RequestJournal.MaxResponseChars"/> characters of UTF-8.</summary>
    public const int MaxResponseBytes = 3 * RequestJournal.MaxResponseChars;

    private const int MaxPathChars = 8 * 1024; // Kestrel's request line limit
    private const int MaxModelChars = 1024; // far beyond any model id; a longer one is kept cut

    private string _method = string.Empty;
    private DateTimeOffset _time;
    private TimeSpan _duration;
    private int _status;
    private int? _retryAfterSeconds;
    private bool _aborted;
    private bool _stream;
    private bool _done;
    private bool _leftEarly;
    private int _frames;
    private string? _answeredBy;
    private string? _fixture;
    private IReadOnlyList<string> _nearMisses = [];
    private string? _fault;
    private int _pathBytes;
    private int _headerBytes;
    private int _modelBytes; // -1: no model
    private int _bodyBytes;
    private int _bodyTotal;
    private int _responseBytes;
    private long _responseTotal;
    private long _responseStart; // in the journal's response ring (JournalBytes), when _responseBytes > 0
    private string? _bodyHash; // made when the request arrives only for a body kept cut (the hash covers all of it)
    private JournalEntry? _entry;

    public long Sequence { get; private set; }

    /// <summary>Where the slot's bytes start in the ring (absolute), or -1 for an entry given whole.</summary>
    public long Start { get; set; } = -1;

    /// <summary>The bytes the slot holds in the ring.</summary>
    public int Length => _pathBytes + _headerBytes + Math.Max(_modelBytes, 0) + _bodyBytes;

    /// <summary>Where the slot's response starts in the response ring, when it has one there (else null).</summary>
    public long? ResponseStart => _responseBytes > 0 ? _responseStart : null;

    public bool HoldsBytes => Start >= 0;

    /// <summary>The body characters of an entry given whole, for the journal's body total (0 for one in the ring).</summary>
    public long WholeBodyChars { get; private set; }

    /// <summary>
    /// The bytes this request will take in the ring; measured before the journal's lock is taken, and the request's
    /// facts noted, so that <see cref="Write"/> under the lock only copies.
    /// </summary>
    public static Pending Measure(HttpContext context, JournalScratch scratch)
    {
        var request = context.Request;
        var path = Cut(request.Path.Value ?? string.Empty, MaxPathChars);
        var model = scratch.Model is { } m ? Cut(m, MaxModelChars) : null;
        var headers = JournalHeaderCodec.Encode(request.Headers);
        var body = scratch.Body;
        var method = HttpMethods.GetCanonicalizedValue(request.Method);
        var response = context.Response;
        var applied = response.Headers[FaultPlan.AppliedHeader];
        return new Pending(
            response.StatusCode,
            int.TryParse(response.Headers.RetryAfter.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds : null,
            context.RequestAborted.IsCancellationRequested,
            scratch.Fault ?? (applied.Count == 0 ? null : applied.ToString()),
            method,
            path,
            Encoding.UTF8.GetByteCount(path),
            headers,
            model,
            model is null ? -1 : Encoding.UTF8.GetByteCount(model),
            body,
            body.Length > MaxBodyBytes ? JournalBody.Hash(method, path, body.Span) : null,
            scratch.Response[..ResponseBytesKept(scratch.Response.Span)],
            scratch.ResponseTotal);
    }

    /// <summary>
    /// How many of the response's first bytes hold its first <see cref="RequestJournal.MaxResponseChars"/> characters:
    /// only those take room in the ring. A UTF-8 lead byte of four starts two UTF-16 characters; a continuation byte none.
    /// </summary>
    private static int ResponseBytesKept(ReadOnlySpan<byte> response)
    {
        if (response.Length <= RequestJournal.MaxResponseChars)
        {
            return response.Length; // no more characters than bytes
        }

        var chars = 0;
        for (var i = 0; i < response.Length; i++)
        {
            var b = response[i];
            if ((b & 0xC0) == 0x80)
            {
                continue;
            }

            chars += b >= 0xF0 ? 2 : 1;
            if (chars > RequestJournal.MaxResponseChars)
            {
                return i;
            }
        }

        return response.Length;
    }

    /// <summary>Takes a request's facts, its bytes into <paramref name="into"/> (which is <see cref="Length"/> long).</summary>
    /// <remarks>The response's bytes are already in the response ring, at <paramref name="responseStart"/>.</remarks>
    public void Write(in Pending pending, JournalScratch scratch, long sequence, DateTimeOffset time, TimeSpan duration, long start, Span<byte> into, long responseStart)
    {
        (Sequence, _time, _duration, _method, Start, _entry, WholeBodyChars) = (sequence, time, duration, pending.Method, start, null, 0);
        (_status, _retryAfterSeconds, _aborted, _fault) = (pending.Status, pending.RetryAfterSeconds, pending.Aborted, pending.Fault);
        (_answeredBy, _fixture, _nearMisses) = (scratch.AnsweredBy, scratch.Fixture, scratch.NearMisses);
        (_stream, _frames, _done, _leftEarly) = (scratch.Stream, scratch.Frames, scratch.Done, scratch.LeftEarly);
        (_pathBytes, _headerBytes, _modelBytes, _bodyTotal, _bodyHash) = (pending.PathBytes, pending.Headers.Length, pending.ModelBytes, pending.Body.Length, pending.BodyHash);
        _bodyBytes = Math.Min(pending.Body.Length, MaxBodyBytes);
        (_responseBytes, _responseTotal, _responseStart) = (pending.Response.Length, pending.ResponseTotal, responseStart);

        into = into[Encoding.UTF8.GetBytes(pending.Path, into)..];
        pending.Headers.Span.CopyTo(into);
        into = into[_headerBytes..];
        if (pending.Model is { } model)
        {
            into = into[Encoding.UTF8.GetBytes(model, into)..];
        }

        pending.Body.Span[.._bodyBytes].CopyTo(into);
    }

    /// <summary>Takes an entry given whole (tests, and anything that has one already); it holds no bytes in the ring.</summary>
    public void WriteWhole(JournalEntry entry)
    {
        (Sequence, Start, _entry, WholeBodyChars) = (entry.Sequence, -1, entry, (entry.Body?.Length ?? 0) + (entry.Response?.Length ?? 0));
        (_pathBytes, _headerBytes, _modelBytes, _bodyBytes, _nearMisses, _fault, _fixture, _bodyHash) = (0, 0, -1, 0, [], null, null, null);
        (_responseBytes, _responseTotal) = (0, 0);
    }

    /// <summary>The entry without its response, built on first read from the ring (<paramref name="bytes"/>) and kept while the slot is.</summary>
    public JournalEntry Entry(JournalBytes bytes) => _entry ??= Build(bytes.Read(Start, Length));

    /// <summary>
    /// The response's bytes, copied under the journal's lock so that <see cref="ResponseCopy.Into"/> decodes them after
    /// it is released (a list of large responses must not hold the lock while it is decoded, nor every other request).
    /// </summary>
    /// <remarks>
    /// The response is decoded on each read that asks for it and never kept with the entry: the entries a journal list
    /// builds would otherwise hold every response, as strings, for as long as they are kept, past
    /// <see cref="RequestJournal.MaxResponseBytesKept"/>.
    /// </remarks>
    public ResponseCopy CopyResponse(JournalBytes responses) =>
        _responseBytes == 0 ? default
        : responses.Holds(_responseStart) ? new ResponseCopy(true, responses.Read(_responseStart, _responseBytes).ToArray(), _responseTotal)
        : new ResponseCopy(true, null, _responseTotal); // written over by newer ones (RequestJournal.MaxResponseBytesKept)

    private static string Cut(string text, int chars) =>
        text.Length <= chars ? text : text[..(char.IsHighSurrogate(text[chars - 1]) ? chars - 1 : chars)];

    private JournalEntry Build(ReadOnlySpan<byte> bytes)
    {
        var path = Encoding.UTF8.GetString(bytes[.._pathBytes]);
        bytes = bytes[_pathBytes..];
        var headers = JournalHeaderCodec.Read(bytes[.._headerBytes]);
        bytes = bytes[_headerBytes..];
        string? model = null;
        if (_modelBytes >= 0)
        {
            model = Encoding.UTF8.GetString(bytes[.._modelBytes]);
            bytes = bytes[_modelBytes..];
        }

        var (body, truncated) = JournalBody.Text(bytes, _bodyTotal);
        string? session = null;
        foreach (var (name, values) in headers)
        {
            if (string.Equals(name, RequestJournal.SessionHeader, StringComparison.OrdinalIgnoreCase) && values.Count > 0 && values.ToString().Length > 0)
            {
                session = values.ToString();
            }
        }

        // A reset_after fault aborts the connection itself: that is the server's doing, not the client leaving.
        var leftEarly = (_leftEarly || _aborted) && _fault?.StartsWith("reset_after=", StringComparison.Ordinal) != true;
        return new JournalEntry
        {
            Sequence = Sequence,
            Time = _time,
            Method = _method,
            Path = path,
            Headers = JournalHeaders.Redact(headers),
            Body = body,
            BodyTruncated = truncated,
            RequestHash = _bodyHash ?? JournalBody.Hash(_method, path, bytes),
            Model = model,
            Session = session,
            AnsweredBy = _answeredBy,
            Fixture = _fixture,
            NearMisses = _nearMisses,
            Fault = _fault,
            Status = _status,
            RetryAfterSeconds = _retryAfterSeconds,
            Stream = _stream,
            Frames = _frames,
            Done = _done,
            Duration = _duration,
            LeftEarly = leftEarly,
        };
    }

    /// <summary>
    /// A request's facts measured outside the journal's lock, its headers already encoded (in the thread's buffer,
    /// <see cref="JournalHeaderCodec.Encode"/>: valid until <see cref="Write"/> copies them, on the same thread).
    /// </summary>
    internal readonly record struct Pending(
        int Status,
        int? RetryAfterSeconds,
        bool Aborted,
        string? Fault,
        string Method,
        string Path,
        int PathBytes,
        ReadOnlyMemory<byte> Headers,
        string? Model,
        int ModelBytes,
        ReadOnlyMemory<byte> Body,
        string? BodyHash,
        ReadOnlyMemory<byte> Response,
        long ResponseTotal)
    {
        public int Length => PathBytes + Headers.Length + Math.Max(ModelBytes, 0) + Math.Min(Body.Length, MaxBodyBytes);
    }

    /// <summary>A response's bytes taken out of the journal's ring; <see cref="Held"/> false for an entry that has none there.</summary>
    internal readonly record struct ResponseCopy(bool Held, byte[]? Bytes, long Total)
    {
        /// <summary><paramref name="entry"/> with the response decoded; one written over reads as none kept, and cut.</summary>
        public JournalEntry Into(JournalEntry entry)
        {
            if (!Held)
            {
                return entry;
            }

            var (response, truncated) = Bytes is null ? (null, true) : JournalBody.Text(Bytes, Total, RequestJournal.MaxResponseChars);
            return entry with { Response = response, ResponseTruncated = truncated };
        }
    }
}
