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

    /// <summary>The bytes the headers take (the ones that fit in <see cref="MaxBytes"/>) and how many headers that is.</summary>
    public static (int Bytes, int Count) Measure(IHeaderDictionary headers)
    {
        var (bytes, count) = (0, 0);
        foreach (var (name, values) in headers)
        {
            var size = StringSize(name) + VarSize(values.Count);
            foreach (var value in values)
            {
                size += StringSize(value ?? string.Empty);
            }

            if (bytes + size > MaxBytes)
            {
                break;
            }

            (bytes, count) = (bytes + size, count + 1);
        }

        return (bytes, count);
    }

    /// <summary>Writes the first <paramref name="count"/> headers, as measured by <see cref="Measure"/>.</summary>
    public static void Write(IHeaderDictionary headers, int count, Span<byte> into)
    {
        foreach (var (name, values) in headers)
        {
            if (count-- == 0)
            {
                return;
            }

            into = WriteString(name, into);
            into = WriteVar(values.Count, into);
            foreach (var value in values)
            {
                into = WriteString(value ?? string.Empty, into);
            }
        }
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
