using System.Globalization;
using System.Text.Json;
using MockServer.Dialects;

namespace MockServer.Validation;

/// <summary>
/// What a dialect reads a value as before the strict readers judge it: a JSON boolean in a numeric field as 1 or 0, a
/// numeric string as its number, and (with numeric strings) pydantic's lax booleans (spec-facts §1.1 PYD, §9 Q2, §12.1).
/// The coerced value then meets the same range checks as a number would (so vLLM's <c>n: false</c> is refused as
/// <c>n: 0</c>). The default instance, and every strict dialect, leaves values as they are.
/// </summary>
internal readonly struct LaxValues(Dialect? dialect)
{
    private static readonly JsonElement One = JsonSerializer.SerializeToElement(1L, WireNumbers.Default.Int64);
    private static readonly JsonElement Zero = JsonSerializer.SerializeToElement(0L, WireNumbers.Default.Int64);
    private static readonly JsonElement True = JsonSerializer.SerializeToElement(true, WireNumbers.Default.Boolean);
    private static readonly JsonElement False = JsonSerializer.SerializeToElement(false, WireNumbers.Default.Boolean);

    // pydantic 2's lax str → bool table (case-insensitive).
    private static readonly string[] TrueWords = ["true", "1", "yes", "on", "t", "y"];
    private static readonly string[] FalseWords = ["false", "0", "no", "off", "f", "n"];

    /// <summary>The dialect, or null for the strict default.</summary>
    public Dialect? Dialect => dialect;

    /// <summary>A value for a numeric field.</summary>
    public JsonElement Number(JsonElement v)
    {
        if (dialect is null)
        {
            return v;
        }

        if (v.ValueKind is JsonValueKind.True or JsonValueKind.False && dialect.Booleans == CoercionPolicy.Coerced)
        {
            return v.ValueKind == JsonValueKind.True ? One : Zero;
        }

        if (v.ValueKind == JsonValueKind.String && dialect.NumericStrings == CoercionPolicy.Coerced)
        {
            var text = TextOrEmpty(v);
            if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
            {
                return JsonSerializer.SerializeToElement(integer, WireNumbers.Default.Int64);
            }

            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d))
            {
                return JsonSerializer.SerializeToElement(d, WireNumbers.Default.Double);
            }
        }

        return v; // judged as sent: a type error names it
    }

    /// <summary>A value for a boolean field (<c>stream</c>, <c>echo</c>, <c>logprobs</c> in chat, <c>include_usage</c>).</summary>
    public JsonElement Flag(JsonElement v)
    {
        if (dialect?.NumericStrings != CoercionPolicy.Coerced)
        {
            return v;
        }

        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n is 0 or 1)
        {
            return n == 1 ? True : False;
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            var text = TextOrEmpty(v);
            if (TrueWords.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                return True;
            }

            if (FalseWords.Contains(text, StringComparer.OrdinalIgnoreCase))
            {
                return False;
            }
        }

        return v;
    }

    /// <summary>The trimmed string, or "" when it is not valid Unicode (then the strict reader refuses it as it is).</summary>
    private static string TextOrEmpty(JsonElement v)
    {
        try
        {
            return v.GetString()!.Trim();
        }
        catch (InvalidOperationException)
        {
            return "";
        }
    }
}

/// <summary>The primitive types <see cref="LaxValues"/> makes elements of, without reflection.</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(long))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
internal sealed partial class WireNumbers : System.Text.Json.Serialization.JsonSerializerContext;
