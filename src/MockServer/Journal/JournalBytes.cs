namespace MockServer.Journal;

/// <summary>
/// One ring of bytes that holds the variable-length facts (path, headers, model, body) of every request the journal
/// keeps. Positions are absolute (they only grow), so a block is intact while it lies within the last
/// <see cref="Length"/> bytes written; a block never wraps, the tail that can't hold it is skipped. The ring grows by
/// doubling (at most to its maximum) instead of dropping a record the journal's capacity would keep.
/// </summary>
/// <remarks>
/// Why a ring: a journal of 1000 records that each held its request's own arrays kept those arrays alive past gen0,
/// so every collection promoted them (about 500 KB per gen0 collection at 10,000 requests a second, bench/README.md
/// issue 9). Copying into memory the journal owns makes every per-request object die young.
/// </remarks>
internal sealed class JournalBytes(int initial, int max)
{
    private byte[] _buffer = [];
    private long _written;

    public int Length => _buffer.Length;

    public bool CanGrow => _buffer.Length < max;

    /// <summary>The lowest absolute position still intact once a block of <paramref name="count"/> bytes is appended.</summary>
    public long FloorAfter(int count) => NextStart(count) + count - _buffer.Length;

    /// <summary>Appends a block of <paramref name="count"/> bytes (at most <see cref="Length"/>) and returns where to write it.</summary>
    public Span<byte> Append(int count, out long start)
    {
        start = NextStart(count);
        _written = start + count;
        return _buffer.AsSpan((int)(start % _buffer.Length), count);
    }

    public ReadOnlySpan<byte> Read(long start, int count) =>
        count == 0 ? [] : _buffer.AsSpan((int)(start % _buffer.Length), count);

    /// <summary>Doubles the ring (at most to its maximum), moving the records it holds, oldest first, to its start.</summary>
    public void Grow(IEnumerable<JournalSlot> oldestFirst)
    {
        var grown = new byte[_buffer.Length == 0 ? initial : (int)Math.Min((long)_buffer.Length * 2, max)];
        var at = 0;
        foreach (var slot in oldestFirst)
        {
            if (slot.HoldsBytes)
            {
                Read(slot.Start, slot.Length).CopyTo(grown.AsSpan(at));
                slot.Start = at;
                at += slot.Length;
            }
        }

        (_buffer, _written) = (grown, at);
    }

    /// <summary>Forgets every block; the memory is kept for the records to come.</summary>
    public void Reset() => _written = 0;

    private long NextStart(int count)
    {
        var at = (int)(_written % _buffer.Length);
        return at + count > _buffer.Length ? _written + (_buffer.Length - at) : _written;
    }
}
