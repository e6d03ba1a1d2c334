using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using MockServer.Endpoints;

namespace MockServer.Recording;

/// <summary>
/// Gives a replayed answer fresh ids and <c>created</c> while keeping every other byte: only the top-level
/// <c>"id"</c> string and <c>"created"</c> number of each JSON object (the body, each <c>data:</c> line of a frame, or
/// an event's <c>data:</c> lines joined when its JSON spans several) are replaced, in place. One answer's old id maps to one new id, so a stream's chunks still share theirs; the new
/// id keeps the old one's prefix (<c>chatcmpl-</c>, <c>cmpl-</c>). Text that is not JSON (a frame recorded malformed)
/// is left exactly as it was.
/// </summary>
internal sealed class IdRewriter(RequestIds ids, long created)
{
    private readonly Dictionary<string, string> _renamed = new(StringComparer.Ordinal);
    private readonly byte[] _created = Encoding.UTF8.GetBytes(created.ToString(CultureInfo.InvariantCulture));

    /// <summary>A whole body that is a JSON object.</summary>
    public ReadOnlyMemory<byte> RewriteBody(ReadOnlyMemory<byte> body) => Rewrite(body.Span) ?? body;

    /// <summary>An SSE frame: each <c>data:</c> line's JSON object.</summary>
    public ReadOnlyMemory<byte> RewriteFrame(ReadOnlyMemory<byte> frame)
    {
        var span = frame.Span;
        ArrayBufferWriter<byte>? output = null;
        var copied = 0;
        var lineStart = 0;
        var payloads = new List<(int Start, int End)>();
        while (lineStart < span.Length)
        {
            var newline = span[lineStart..].IndexOf((byte)'\n');
            var lineEnd = newline < 0 ? span.Length : lineStart + newline;
            var line = span[lineStart..lineEnd];
            if (line.StartsWith("data:"u8))
            {
                var payloadStart = lineStart + (line.StartsWith("data: "u8) ? 6 : 5);
                var payloadEnd = lineEnd > payloadStart && span[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd;
                payloads.Add((payloadStart, Math.Max(payloadStart, payloadEnd)));
                if (Rewrite(span[payloadStart..payloadEnd]) is { } rewritten)
                {
                    output ??= new ArrayBufferWriter<byte>(span.Length + 16);
                    output.Write(span[copied..payloadStart]);
                    output.Write(rewritten.Span);
                    copied = payloadEnd;
                }
            }

            lineStart = lineEnd + 1;
        }

        if (output is null)
        {
            return payloads.Count > 1 ? RewriteJoined(frame, payloads) : frame;
        }

        output.Write(span[copied..]);
        return output.WrittenMemory;
    }

    /// <summary>
    /// An event whose JSON spans several <c>data:</c> lines (SSE joins them with <c>\n</c>): the id and created are
    /// found in the joined text, then replaced in the line that holds each (a JSON string or number never spans a
    /// line), so every other byte, the line breaks included, stays as recorded.
    /// </summary>
    private ReadOnlyMemory<byte> RewriteJoined(ReadOnlyMemory<byte> frame, List<(int Start, int End)> payloads)
    {
        var span = frame.Span;
        var joined = new ArrayBufferWriter<byte>(span.Length);
        var starts = new int[payloads.Count];
        for (var i = 0; i < payloads.Count; i++)
        {
            if (i > 0)
            {
                joined.Write("\n"u8);
            }

            starts[i] = joined.WrittenCount;
            joined.Write(span[payloads[i].Start..payloads[i].End]);
        }

        if (Edits(joined.WrittenSpan) is not { } edits)
        {
            return frame;
        }

        var placed = edits.Select(e =>
        {
            var line = Array.FindLastIndex(starts, start => start <= e.Start);
            return (Start: payloads[line].Start + (e.Start - starts[line]), e.Length, e.With);
        }).ToList();
        return Apply(span, placed);
    }

    /// <summary>The JSON with its top-level id and created replaced, or null when it has neither or is not JSON.</summary>
    private ReadOnlyMemory<byte>? Rewrite(ReadOnlySpan<byte> json) =>
        Edits(json) is { } edits ? Apply(json, edits) : (ReadOnlyMemory<byte>?)null; // not a bare null: byte[] null would convert to empty memory

    /// <summary>Where the top-level id and created are in <paramref name="json"/> and what replaces them; null when neither is, or it is not JSON.</summary>
    private List<(int Start, int Length, byte[] With)>? Edits(ReadOnlySpan<byte> json)
    {
        var trimmed = json.TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty || trimmed[0] != '{')
        {
            return null;
        }

        var edits = new List<(int Start, int Length, byte[] With)>(2);
        var reader = new Utf8JsonReader(json);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.PropertyName || reader.CurrentDepth != 1)
                {
                    continue;
                }

                var isId = reader.ValueTextEquals("id"u8);
                var isCreated = reader.ValueTextEquals("created"u8);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String)
                {
                    var replacement = JsonEncodedText.Encode(Renamed(reader.GetString()!), JavaScriptEncoder.UnsafeRelaxedJsonEscaping);
                    edits.Add(((int)reader.TokenStartIndex, reader.ValueSpan.Length + 2, Encoding.UTF8.GetBytes($"\"{replacement}\"")));
                }
                else if (isCreated && reader.TokenType == JsonTokenType.Number)
                {
                    edits.Add(((int)reader.TokenStartIndex, reader.ValueSpan.Length, _created));
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            return null; // not JSON, or an id that is no text (a lone surrogate, "\ud800", cannot be decoded): kept as recorded
        }

        return edits.Count == 0 ? null : edits;
    }

    private static ReadOnlyMemory<byte> Apply(ReadOnlySpan<byte> json, List<(int Start, int Length, byte[] With)> edits)
    {
        var output = new ArrayBufferWriter<byte>(json.Length + 16);
        var at = 0;
        foreach (var (start, length, with) in edits.OrderBy(e => e.Start))
        {
            output.Write(json[at..start]);
            output.Write(with);
            at = start + length;
        }

        output.Write(json[at..]);
        return output.WrittenMemory;
    }

    private string Renamed(string old)
    {
        if (!_renamed.TryGetValue(old, out var renamed))
        {
            var dash = old.LastIndexOf('-');
            renamed = ids.Next(dash < 0 ? "" : old[..(dash + 1)]).Id;
            _renamed[old] = renamed;
        }

        return renamed;
    }
}
