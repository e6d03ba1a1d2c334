using System.Buffers;

namespace MockServer.Journal;

/// <summary>
/// What the request's handling learns for its journal entry, as it goes (a request feature set by
/// <see cref="JournalMiddleware"/>): the body the pipeline read, the model, what answered, the fault, the frames sent,
/// and a copy of the response as written (<see cref="NoteSent(ReadOnlySpan{byte})"/>).
/// </summary>
internal sealed class JournalScratch
{
    private byte[]? _response; // rented on the first byte sent, returned by Release once the entry has copied it
    private int _responseKept;

    public ReadOnlyMemory<byte> Body { get; set; }

    public string? Model { get; set; }

    public string? AnsweredBy { get; set; }

    public string? Fixture { get; set; }

    public IReadOnlyList<string> NearMisses { get; set; } = [];

    public string? Fault { get; set; }

    public bool Stream { get; set; }

    public int Frames { get; set; }

    public bool Done { get; set; }

    public bool LeftEarly { get; set; }

    /// <summary>Bytes of the response body written so far (all of them, whether kept or not).</summary>
    public long ResponseTotal { get; private set; }

    /// <summary>The first bytes of the response body as written, at most <see cref="JournalSlot.MaxResponseBytes"/>.</summary>
    public ReadOnlyMemory<byte> Response => _response.AsMemory(0, _responseKept);

    /// <summary>
    /// Keeps a copy of bytes the response body is given (issue 11, the journal's detail view): raw UTF-8 into a pooled
    /// buffer, up to the cap; decoded only if someone reads the entry. Called where the mock writes an answer (the JSON
    /// and error writers, <see cref="JournalTee"/> for a stream), never for a request the journal does not keep.
    /// </summary>
    public void NoteSent(ReadOnlySpan<byte> bytes)
    {
        ResponseTotal += bytes.Length;
        var room = JournalSlot.MaxResponseBytes - _responseKept;
        if (room <= 0 || bytes.IsEmpty)
        {
            return;
        }

        bytes = bytes[..Math.Min(bytes.Length, room)];
        if (_response is null || _response.Length - _responseKept < bytes.Length)
        {
            var grown = ArrayPool<byte>.Shared.Rent(Math.Min(Math.Max(Math.Max(4096, (_response?.Length ?? 0) * 2), _responseKept + bytes.Length), JournalSlot.MaxResponseBytes));
            if (_response is not null)
            {
                _response.AsSpan(0, _responseKept).CopyTo(grown);
                ArrayPool<byte>.Shared.Return(_response);
            }

            _response = grown;
        }

        bytes.CopyTo(_response.AsSpan(_responseKept));
        _responseKept += bytes.Length;
    }

    /// <summary>
    /// Forgets the response noted so far (kept bytes and total; the buffer stays for reuse): called beside
    /// <c>HttpResponse.Clear()</c>, when an answer not yet sent is replaced by another, so an entry never holds two bodies.
    /// </summary>
    public void ResetResponse() => (_responseKept, ResponseTotal) = (0, 0);

    /// <summary>Gives the response copy back to the pool; the journal has taken its bytes (or the request is not kept).</summary>
    public void Release()
    {
        if (_response is { } rented)
        {
            (_response, _responseKept) = (null, 0);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>Keeps <paramref name="bytes"/> as part of the request's response when the journal keeps the request.</summary>
    public static void NoteSent(HttpContext context, ReadOnlySpan<byte> bytes) => context.Features.Get<JournalScratch>()?.NoteSent(bytes);

    /// <summary>Notes the body's <c>model</c> when it is a string; one that is not valid UTF-16 (a lone surrogate) is left out, for the parser to refuse.</summary>
    public void NoteModel(System.Text.Json.JsonElement root) => Model = Dialects.RequestDialect.ModelIdOf(root);

    /// <summary>Notes what answers an admitted request: the fixture of that name, or the synthetic model when null.</summary>
    public static void NoteAnswer(HttpContext context, string? fixture)
    {
        if (context.Features.Get<JournalScratch>() is { } scratch)
        {
            (scratch.AnsweredBy, scratch.Fixture) = (fixture is null ? "synthetic" : "fixture", fixture);
        }
    }
}
