using System.Text;
using System.Text.Json;

namespace MockServer.Fixtures;

/// <summary>
/// Fixture files are JSON with comments: editors that follow <c>$schema</c> let people write <c>//</c> and
/// <c>/* */</c> comments and trailing commas, and some save a UTF-8 byte order mark. All of that is accepted; anything
/// else that is not JSON stops start-up with the file, line and position.
/// </summary>
internal static class FixtureJsonText
{
    private static readonly JsonDocumentOptions Lenient = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    /// <summary>
    /// The document as strict JSON, with the same length and line layout as the original (comments and trailing commas
    /// become spaces), so the schema validator, which reads strict JSON only, still reports positions in the file.
    /// </summary>
    /// <exception cref="FixtureLoadException">The text is not JSON even with comments and trailing commas allowed.</exception>
    /// <param name="doc">The document.</param>
    /// <param name="what">What the document is called in messages ("Fixture", "Behaviour file", "Keys file").</param>
    public static string ToStrictJson(FixtureDocument doc, string what = "Fixture")
    {
        // A BOM that File.ReadAllText did not strip (text given in code, or a BOM after a different one).
        var text = doc.Json.TrimStart('\uFEFF');
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FixtureLoadException($"{what} '{doc.Name}' is empty; a {(what == "Fixture" ? "fixture file" : what.ToLowerInvariant())} holds one JSON object (line 1, position 1).");
        }

        try
        {
            using var document = JsonDocument.Parse(text, Lenient);
            RequireUnicode(doc.Name, document.RootElement, "$");
        }
        catch (JsonException ex)
        {
            var line = (int)(ex.LineNumber ?? 0);
            var position = CharPosition(text, line, (int)(ex.BytePositionInLine ?? 0));
            throw new FixtureLoadException($"{what} '{doc.Name}' is not valid JSON at line {line + 1}, position {position + 1}: {Reason(ex.Message)}", ex);
        }

        return Blank(text);
    }

    /// <summary>
    /// JSON may escape half a surrogate pair (<c>"\ud800"</c>); the parser accepts it but cannot turn it into a string,
    /// which would surface later as an unhandled exception. Found here, it is named by its path.
    /// </summary>
    private static void RequireUnicode(string file, JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                try
                {
                    _ = element.GetString();
                }
                catch (InvalidOperationException ex)
                {
                    throw new FixtureLoadException($"Fixture '{file}' at {path}: the string is not valid Unicode (an escaped lone surrogate such as \\ud800).", ex);
                }

                break;
            case JsonValueKind.Array:
                var i = 0;
                foreach (var item in element.EnumerateArray())
                {
                    RequireUnicode(file, item, $"{path}[{i++}]");
                }

                break;
            case JsonValueKind.Object:
                foreach (var property in element.EnumerateObject())
                {
                    string name;
                    try
                    {
                        name = property.Name;
                    }
                    catch (InvalidOperationException ex)
                    {
                        throw new FixtureLoadException($"Fixture '{file}' at {path}: a property name is not valid Unicode (an escaped lone surrogate such as \\ud800).", ex);
                    }

                    RequireUnicode(file, property.Value, $"{path}.{name}");
                }

                break;
        }
    }

    /// <summary>System.Text.Json counts bytes of UTF-8 within the line; an editor counts characters.</summary>
    private static int CharPosition(string text, int line, int bytePosition)
    {
        var lines = text.Split('\n');
        if (line >= lines.Length)
        {
            return bytePosition;
        }

        var utf8 = Encoding.UTF8.GetBytes(lines[line]);
        return Encoding.UTF8.GetCharCount(utf8, 0, Math.Min(bytePosition, utf8.Length));
    }

    /// <summary>The parser's reason without its own zero-based "LineNumber: 0 | BytePositionInLine: 7." suffix.</summary>
    private static string Reason(string message)
    {
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut < 0 ? message : message[..cut]).TrimEnd();
    }

    /// <summary>Replaces comments and trailing commas by spaces in text already known to parse as JSON with comments.</summary>
    private static string Blank(string text)
    {
        var chars = text.ToCharArray();
        var pendingComma = -1;
        for (var i = 0; i < chars.Length; i++)
        {
            var c = chars[i];
            if (c == '"')
            {
                pendingComma = -1;
                for (i++; i < chars.Length && chars[i] != '"'; i++)
                {
                    if (chars[i] == '\\')
                    {
                        i++;
                    }
                }

                continue;
            }

            if (c == '/' && i + 1 < chars.Length && chars[i + 1] is '/' or '*')
            {
                var block = chars[i + 1] == '*';
                var close = block ? text.IndexOf("*/", i + 2, StringComparison.Ordinal) : text.IndexOf('\n', i);
                var end = close < 0 ? chars.Length : block ? close + 2 : close; // a line comment on the last line runs to the end
                for (var j = i; j < end; j++)
                {
                    chars[j] = chars[j] is '\n' or '\r' ? chars[j] : ' ';
                }

                i = end - 1;
                continue;
            }

            switch (c)
            {
                case ',':
                    pendingComma = i;
                    break;
                case '}' or ']' when pendingComma >= 0:
                    chars[pendingComma] = ' ';
                    pendingComma = -1;
                    break;
                case ' ' or '\t' or '\r' or '\n':
                    break;
                default:
                    pendingComma = -1;
                    break;
            }
        }

        return new string(chars);
    }
}
