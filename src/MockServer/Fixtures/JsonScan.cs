using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MockServer.Fixtures;

/// <summary>What <see cref="JsonScan"/> found wrong, where: a JSON path and the line and position in the file.</summary>
internal sealed record JsonScanProblem(string Path, int Line, int Position, string Reason, string? DuplicateName = null);

/// <summary>
/// Checks a config file's strict JSON before schema validation for what the schema validator cannot report: an integer
/// beyond a long (Newtonsoft reads it as a BigInteger, and NJsonSchema then throws on its bounds instead of reporting),
/// and, where asked, a property given twice in one object (System.Text.Json keeps the last silently, so one of two
/// values would be dropped without a word; the request parser refuses the same).
/// </summary>
internal static class JsonScan
{
    private sealed class Frame(string path, bool isArray)
    {
        public string Path { get; } = path;

        public bool IsArray { get; } = isArray;

        public int Index { get; set; }

        public string? Name { get; set; }

        public HashSet<string> Names { get; } = new(StringComparer.Ordinal);
    }

    /// <summary>The first problem in <paramref name="strictJson"/> (already known to parse), or null.</summary>
    public static JsonScanProblem? FirstProblem(string strictJson, bool refuseDuplicates)
    {
        var bytes = Encoding.UTF8.GetBytes(strictJson);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { MaxDepth = 256 });
        var stack = new Stack<Frame>();
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    stack.Push(new Frame(PathOfValue(stack), reader.TokenType == JsonTokenType.StartArray));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    stack.Pop();
                    Advance(stack);
                    break;
                case JsonTokenType.PropertyName:
                    var frame = stack.Peek();
                    var name = reader.GetString()!;
                    if (refuseDuplicates && !frame.Names.Add(name))
                    {
                        return At(strictJson, bytes, reader.TokenStartIndex, $"{frame.Path}.{name}", "is given twice in one object", name);
                    }

                    frame.Name = name;
                    break;
                case JsonTokenType.Number:
                    if (!reader.TryGetInt64(out _) && reader.ValueSpan.IndexOfAny("."u8) < 0 && reader.ValueSpan.IndexOfAny("eE"u8) < 0)
                    {
                        var raw = Encoding.UTF8.GetString(reader.ValueSpan);
                        var reason = raw.StartsWith('-')
                            ? $"{raw} is too small; it must be at least {long.MinValue.ToString(CultureInfo.InvariantCulture)}"
                            : $"{raw} is too large; it must be at most {long.MaxValue.ToString(CultureInfo.InvariantCulture)}";
                        return At(strictJson, bytes, reader.TokenStartIndex, PathOfValue(stack), reason);
                    }

                    Advance(stack);
                    break;
                default:
                    Advance(stack);
                    break;
            }
        }

        return null;
    }

    private static string PathOfValue(Stack<Frame> stack) => stack.TryPeek(out var parent)
        ? parent.IsArray ? string.Create(CultureInfo.InvariantCulture, $"{parent.Path}[{parent.Index}]") : $"{parent.Path}.{parent.Name}"
        : "$";

    private static void Advance(Stack<Frame> stack)
    {
        if (stack.TryPeek(out var parent) && parent.IsArray)
        {
            parent.Index++;
        }
    }

    private static JsonScanProblem At(string text, byte[] bytes, long byteOffset, string path, string reason, string? duplicate = null)
    {
        var chars = Encoding.UTF8.GetCharCount(bytes, 0, (int)byteOffset);
        var lineStart = text.LastIndexOf('\n', Math.Max(0, chars - 1)) + 1;
        var line = 1 + text.AsSpan(0, lineStart).Count('\n');
        return new JsonScanProblem(path, line, chars - lineStart + 1, reason, duplicate);
    }
}
