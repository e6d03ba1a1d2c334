namespace MockServer.Recording;

/// <summary>
/// Cuts an SSE body into its events as the bytes arrive: an event ends with a blank line (<c>\n\n</c>,
/// <c>\r\n\r\n</c>, or <c>\r\r</c>: the SSE format allows CR alone as a line end), which stays part of it, so the
/// frames laid end to end are the body byte for byte. Bytes that never reach a blank line are not held without end:
/// past <paramref name="maxPending"/> they are passed on as a frame of their own.
/// </summary>
internal sealed class SseFrameSplitter(int maxPending = int.MaxValue)
{
    private readonly List<byte> _pending = [];

    /// <summary>Adds bytes and returns every event they complete, in order.</summary>
    public List<byte[]> Push(ReadOnlySpan<byte> bytes)
    {
        var frames = new List<byte[]>();
        var scanFrom = Math.Max(0, _pending.Count - 3); // a terminator may straddle the previous read
        _pending.AddRange(bytes);
        while (End(scanFrom) is var end and > 0)
        {
            frames.Add([.. _pending.GetRange(0, end)]);
            _pending.RemoveRange(0, end);
            scanFrom = 0;
        }

        if (_pending.Count > maxPending)
        {
            frames.Add(Rest()); // no blank line in sight: relayed as it is rather than buffered without bound
        }

        return frames;
    }

    /// <summary>What is left after the last complete event (a stream cut mid-event), or empty.</summary>
    public byte[] Rest()
    {
        var rest = _pending.ToArray();
        _pending.Clear();
        return rest;
    }

    /// <summary>The length of the first complete event, or 0.</summary>
    private int End(int from)
    {
        for (var i = from; i + 1 < _pending.Count; i++)
        {
            if (_pending[i] == '\r' && _pending[i + 1] == '\r')
            {
                // CR CR ends an event; CR CR LF is a CR line end then a CRLF blank line, which belongs to it too.
                return i + 2 < _pending.Count && _pending[i + 2] == '\n' ? i + 3 : i + 2;
            }

            if (_pending[i] != '\n')
            {
                continue;
            }

            if (_pending[i + 1] == '\n')
            {
                return i + 2;
            }

            if (i + 2 < _pending.Count && _pending[i + 1] == '\r' && _pending[i + 2] == '\n')
            {
                return i + 3;
            }
        }

        return 0;
    }
}
