namespace MockServer.Journal;

/// <summary>
/// A ring of bytes the journal owns. The journal has two: one holds the variable-length facts (path, headers, model,
/// body) of every request it keeps, the other the responses (issue 11). A response is often far larger than its request
/// (a stream of a hundred tokens is tens of kilobytes), and sharing one ring would make long answers push whole entries
/// out; in their own ring the oldest responses are overwritten instead, the entries stay, and an entry whose response is
/// gone says so (<see cref="Holds"/>).
/// </summary>
/// <remarks>
/// Positions are absolute and only grow; a block never wraps (the tail that cannot hold it is skipped). It grows by
/// doubling, at most to its maximum, instead of writing over a block still wanted: growing copies the bytes that are
/// still intact to the new buffer's start and rebases (<c>_base</c>), so no record needs to be told where its bytes
/// went. Touched only under the journal's lock.
/// Why a ring: a journal of 1000 records that each held its request's own arrays kept those arrays alive past gen0,
/// so every collection promoted them (about 500 KB per gen0 collection at 10,000 requests a second, bench/README.md
/// issue 9). Copying into memory the journal owns makes every per-request object die young.
/// </remarks>
internal sealed class JournalBytes(int initial, int max)
{
    private byte[] _buffer = [];
    private long _base; // the absolute position at index 0 of the buffer's first lap; nothing before it is held
    private long _written;

    public int Length => _buffer.Length;

    public bool CanGrow => _buffer.Length < max;

    /// <summary>Whether the block written at <paramref name="start"/> is intact: copied by every growth, not yet written over.</summary>
    public bool Holds(long start) => start >= _base && _written - start <= _buffer.Length;

    /// <summary>The lowest absolute position still intact once a block of <paramref name="count"/> bytes is appended.</summary>
    public long FloorAfter(int count) => NextStart(count) + count - _buffer.Length;

    /// <summary>Appends a block of <paramref name="count"/> bytes (at most <see cref="Length"/>) and returns where to write it.</summary>
    public Span<byte> Append(int count, out long start)
    {
        start = NextStart(count);
        _written = start + count;
        return _buffer.AsSpan(Index(start), count);
    }

    /// <summary>The block at <paramref name="start"/>; only while <see cref="Holds"/> says it is intact.</summary>
    public ReadOnlySpan<byte> Read(long start, int count) => count == 0 ? [] : _buffer.AsSpan(Index(start), count);

    /// <summary>Doubles the ring (at most to its maximum), keeping every intact byte, from the oldest, at the new buffer's start.</summary>
    public void Grow()
    {
        var grown = new byte[_buffer.Length == 0 ? initial : (int)Math.Min((long)_buffer.Length * 2, max)];
        var from = Math.Max(_base, _written - _buffer.Length);
        for (var at = from; at < _written;)
        {
            // The intact range is at most one lap: at most two pieces, split where the old buffer ends.
            var index = Index(at);
            var count = (int)Math.Min(_written - at, _buffer.Length - index);
            _buffer.AsSpan(index, count).CopyTo(grown.AsSpan((int)(at - from)));
            at += count;
        }

        (_buffer, _base) = (grown, from);
    }

    /// <summary>Forgets every block; the memory is kept for the responses to come.</summary>
    public void Reset() => (_base, _written) = (0, 0);

    private int Index(long position) => (int)((position - _base) % _buffer.Length);

    private long NextStart(int count)
    {
        var at = Index(_written);
        return at + count > _buffer.Length ? _written + (_buffer.Length - at) : _written;
    }
}
