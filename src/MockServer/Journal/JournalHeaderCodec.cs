using System.Text;
using Microsoft.Extensions.Primitives;

namespace MockServer.Journal;

/// <summary>
/// Request headers as bytes in the journal's ring (<see cref="JournalBytes"/>): per header its name, its number of
/// values and each value, every string as a 7-bit-encoded length and UTF-8. Read back only when the journal is read.
/// </summary>
internal static class JournalHeaderCodec
{
    /// <summary>At most this many bytes of headers are kept per request; headers past it are left out whole.</summary>
    public const int MaxBytes = 64 * 1024;

    // Each thread's encoding buffer (at most MaxBytes): the headers are encoded once, before the journal's lock is
    // taken, and only copied under it. Add runs without an await from Encode to the copy, so the thread keeps it.
    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>
    /// Encodes the headers that fit in <see cref="MaxBytes"/> (whole ones, in order) into the calling thread's buffer,
    /// valid until that thread encodes again.
    /// </summary>
    public static ReadOnlyMemory<byte> Encode(IHeaderDictionary headers)
    {
        var buffer = t_buffer ??= new byte[1024];
        var used = 0;
        foreach (var (name, values) in headers)
        {
            var size = StringSize(name) + VarSize(values.Count);
            foreach (var value in values)
            {
                size += StringSize(value ?? string.Empty);
            }

            if (used + size > MaxBytes)
            {
                break;
            }

            if (used + size > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Min(MaxBytes, Math.Max(buffer.Length * 2, used + size)));
                t_buffer = buffer;
            }

            var into = buffer.AsSpan(used, size);
            into = WriteString(name, into);
            into = WriteVar(values.Count, into);
            foreach (var value in values)
            {
                into = WriteString(value ?? string.Empty, into);
            }

            used += size;
        }

        return buffer.AsMemory(0, used);
    }

    public static KeyValuePair<string, StringValues>[] Read(ReadOnlySpan<byte> from)
    {
        var headers = new List<KeyValuePair<string, StringValues>>();
        while (!from.IsEmpty)
        {
            var name = ReadString(ref from);
            var values = new string[ReadVar(ref from)];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = ReadString(ref from);
            }

            headers.Add(new(name, new StringValues(values)));
        }

        return [.. headers];
    }

    private static int StringSize(string text)
    {
        var bytes = Encoding.UTF8.GetByteCount(text);
        return VarSize(bytes) + bytes;
    }

    private static int VarSize(int value)
    {
        var size = 1;
        while ((value >>= 7) != 0)
        {
            size++;
        }

        return size;
    }

    private static Span<byte> WriteString(string text, Span<byte> into)
    {
        into = WriteVar(Encoding.UTF8.GetByteCount(text), into);
        var written = Encoding.UTF8.GetBytes(text, into);
        return into[written..];
    }

    private static Span<byte> WriteVar(int value, Span<byte> into)
    {
        var at = 0;
        var rest = (uint)value;
        while (rest >= 0x80)
        {
            into[at++] = (byte)(rest | 0x80);
            rest >>= 7;
        }

        into[at++] = (byte)rest;
        return into[at..];
    }

    private static string ReadString(ref ReadOnlySpan<byte> from)
    {
        var length = ReadVar(ref from);
        var text = Encoding.UTF8.GetString(from[..length]);
        from = from[length..];
        return text;
    }

    private static int ReadVar(ref ReadOnlySpan<byte> from)
    {
        var (value, shift, at) = (0, 0, 0);
        byte b;
        do
        {
            b = from[at++];
            value |= (b & 0x7F) << shift;
            shift += 7;
        }
        while ((b & 0x80) != 0);

        from = from[at..];
        return value;
    }
}
