using System.Buffers;
using System.Text;

namespace Conformance.Sse;

/// <summary>
/// An incremental, byte-level event-stream parser that follows the WHATWG "Parsing an event stream" rules
/// (spec-facts §8): CR, LF and CRLF terminators (a CR|LF pair split across reads is one terminator), comments,
/// a leading BOM, multi-line data, and a trailing event without a blank line discarded.
/// </summary>
/// <remarks>
/// Lines are split on bytes and decoded one at a time, so a chunk boundary inside a UTF-8 sequence is harmless:
/// CR and LF never occur inside a multi-byte sequence. The parser keeps what the checks need as evidence
/// (field names and raw lines per event), which a standard client such as <c>SseParser</c> does not expose.
/// </remarks>
internal sealed class SseReader
{
    // Evidence only: one event's raw text is cut here so an endless line cannot exhaust memory.
    private const int MaxRawChars = 4_000;

    private readonly Func<string, int, string>? _redactCut;
    private readonly ArrayBufferWriter<byte> _line = new();
    private readonly StringBuilder _data = new();
    private readonly StringBuilder _raw = new();
    private readonly List<string> _fields = [];
    private readonly List<SseEvent> _events = [];
    private string _eventType = string.Empty;
    private string? _id;
    private bool _lastWasCr;
    private bool _firstLine = true;
    private bool _completed;

    /// <summary>Initializes a new instance of the <see cref="SseReader"/> class.</summary>
    /// <param name="redactCut">
    /// Redacts a raw line and cuts it to a length (masking a secret's prefix left at the cut), so raw evidence is
    /// redacted before it is capped; null keeps raw lines as they are.
    /// </param>
    public SseReader(Func<string, int, string>? redactCut = null)
    {
        _redactCut = redactCut;
    }

    /// <summary>Gets the events dispatched so far.</summary>
    public IReadOnlyList<SseEvent> Events => _events;

    /// <summary>Gets the number of comment lines (<c>:</c> prefix) seen.</summary>
    public int CommentCount { get; private set; }

    /// <summary>Gets how many blank-line-terminated blocks fired nothing because their data buffer was empty (WHATWG rule 7).</summary>
    public int EmptyBlocks { get; private set; }

    /// <summary>Gets the field names of blocks that fired nothing (e.g. an <c>event:</c>-only block).</summary>
    public List<string> EmptyBlockFields { get; } = [];

    /// <summary>Gets the raw text of a final event that had no terminating blank line, and so was discarded (WHATWG rule 8).</summary>
    public string? DiscardedTail { get; private set; }

    /// <summary>Gets the total number of bytes fed.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Feeds the next bytes of the stream; chunk boundaries may fall anywhere.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        if (_completed)
        {
            throw new InvalidOperationException("The stream has already been completed.");
        }

        BytesRead += bytes.Length;
        while (!bytes.IsEmpty)
        {
            if (_lastWasCr)
            {
                // A CR followed by LF is one terminator, even when the LF arrives in the next read (§8 rule 2).
                _lastWasCr = false;
                if (bytes[0] == (byte)'\n')
                {
                    bytes = bytes[1..];
                    continue;
                }
            }

            var end = bytes.IndexOfAny((byte)'\r', (byte)'\n');
            if (end < 0)
            {
                _line.Write(bytes);
                return;
            }

            _line.Write(bytes[..end]);
            _lastWasCr = bytes[end] == (byte)'\r';
            ProcessLine();
            bytes = bytes[(end + 1)..];
        }
    }

    /// <summary>Signals the end of the stream: any event without its blank line is discarded, not dispatched.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        _completed = true;
        if (_line.WrittenCount > 0)
        {
            AppendRaw(Decode(_line.WrittenSpan));
        }

        if (_raw.Length > 0)
        {
            DiscardedTail = _raw.ToString();
        }

        _line.Clear();
    }

    /// <summary>Parses a whole byte array in one go; a convenience for tests and for re-parsing recorded bytes.</summary>
    public static SseReader ParseAll(ReadOnlySpan<byte> bytes)
    {
        var reader = new SseReader();
        reader.Feed(bytes);
        reader.Complete();
        return reader;
    }

    private string Decode(ReadOnlySpan<byte> bytes)
    {
        // A leading BOM is dropped (§8 rule 1); only the very first line can carry it.
        if (_firstLine && bytes.StartsWith("\uFEFF"u8))
        {
            bytes = bytes[3..];
        }

        return Encoding.UTF8.GetString(bytes);
    }

    private void ProcessLine()
    {
        var line = Decode(_line.WrittenSpan);
        _line.Clear();
        _firstLine = false;

        if (line.Length == 0)
        {
            Dispatch();
            return;
        }

        AppendRaw(line);
        if (line[0] == ':')
        {
            CommentCount++;
            return;
        }

        // Split at the first colon; one leading space of the value is removed (§8 rule 5).
        var colon = line.IndexOf(':', StringComparison.Ordinal);
        var field = colon < 0 ? line : line[..colon];
        var value = colon < 0 ? string.Empty : line[(colon + 1)..];
        if (value.StartsWith(' '))
        {
            value = value[1..];
        }

        _fields.Add(field);
        switch (field)
        {
            case "data":
                _data.Append(value).Append('\n');
                break;
            case "event":
                _eventType = value;
                break;
            case "id" when !value.Contains('\0', StringComparison.Ordinal):
                _id = value;
                break;
            default:
                // retry and unknown fields do not change the event (§8 rule 6); the field name is kept as evidence.
                break;
        }
    }

    private void AppendRaw(string line)
    {
        if (_raw.Length < MaxRawChars)
        {
            var room = MaxRawChars - _raw.Length;
            _raw.Append(_redactCut is not null ? _redactCut(line, room) : line.Length > room ? line[..room] : line).Append('\n');
        }
    }

    private void Dispatch()
    {
        if (_data.Length == 0)
        {
            // An empty data buffer fires nothing and resets the event type too (§8 rule 7).
            if (_fields.Count > 0)
            {
                EmptyBlocks++;
                EmptyBlockFields.AddRange(_fields);
            }
        }
        else
        {
            var data = _data.ToString(0, _data.Length - 1);
            var type = _eventType.Length == 0 ? "message" : _eventType;
            _events.Add(new SseEvent(type, data, _id, [.. _fields], _raw.ToString(), _events.Count));
        }

        _data.Clear();
        _raw.Clear();
        _fields.Clear();
        _eventType = string.Empty;
        _id = null;
    }
}
