using System.Globalization;
using System.Text;

namespace Conformance.Tests.Redaction;

/// <summary>
/// The altered forms in which a hostile server may echo a key, and an independent detector that reads an output the way
/// a person would (any case, escapes undone) and reports any 8-character run of the key it still finds.
/// </summary>
internal static class KeyForms
{
    /// <summary>Every character as <c>\uXXXX</c>, lower-case hex.</summary>
    public static string JsonEscapeAll(string text) =>
        string.Concat(text.Select(ch => "\\u" + ((int)ch).ToString("x4", CultureInfo.InvariantCulture)));

    /// <summary>Every third character as <c>\uXXXX</c> (upper-case hex), the rest as is.</summary>
    public static string JsonEscapeSome(string text) =>
        string.Concat(text.Select((ch, i) => i % 3 == 0 ? "\\u" + ((int)ch).ToString("X4", CultureInfo.InvariantCulture) : ch.ToString()));

    /// <summary>Every character as <c>%XX</c>, alternating upper- and lower-case hex.</summary>
    public static string PercentEncodeAll(string text) =>
        string.Concat(text.Select((ch, i) => "%" + ((int)ch).ToString(i % 2 == 0 ? "X2" : "x2", CultureInfo.InvariantCulture)));

    /// <summary>
    /// The 8-character runs of <paramref name="key"/> (any case) found in <paramref name="output"/> read raw, with JSON
    /// escapes undone, with percent-encoding undone, and with both undone in either order.
    /// </summary>
    public static IReadOnlyList<string> LeakedRuns(string output, string key)
    {
        var readings = new[]
        {
            output,
            JsonUnescape(output),
            PercentDecode(output),
            JsonUnescape(PercentDecode(output)),
            PercentDecode(JsonUnescape(output)),
            JsonUnescape(JsonUnescape(output)),
        };
        var lowerKey = key.ToLowerInvariant();
        var runs = Enumerable.Range(0, lowerKey.Length - 7).Select(i => lowerKey.Substring(i, 8)).ToList();
        return [.. runs.Where(run => readings.Any(r => r.Contains(run, StringComparison.OrdinalIgnoreCase))).Distinct()];
    }

    private static string JsonUnescape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\\' && i + 5 < text.Length && text[i + 1] == 'u'
                && int.TryParse(text.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                sb.Append((char)code);
                i += 5;
            }
            else if (text[i] == '\\' && i + 1 < text.Length && text[i + 1] is '\\' or '/' or '"')
            {
                sb.Append(text[i + 1]);
                i++;
            }
            else
            {
                sb.Append(text[i]);
            }
        }

        return sb.ToString();
    }

    private static string PercentDecode(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length
                && int.TryParse(text.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var code))
            {
                sb.Append((char)code);
                i += 2;
            }
            else
            {
                sb.Append(text[i]);
            }
        }

        return sb.ToString();
    }
}
