using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MockServer.Generation;

/// <summary>
/// Writes a JSON value valid against a JSON Schema, as a pure function of the schema and a seed: what the synthetic
/// model "writes" as tool-call arguments and as structured output. Covers the keywords function and response
/// schemas use (type, properties, required, enum, const, items, min/maxItems, minimum/maximum and their exclusive
/// forms, min/maxLength, one anyOf/oneOf branch (not checked against its siblings), allOf's first, local <c>$ref</c>, a few formats); others are
/// ignored. Depth and sizes are bounded so a recursive or generous schema still gives a short answer.
/// </summary>
internal static class JsonSchemaSampler
{
    private const int MaxDepth = 6;
    private const int MaxItems = 3;

    private static readonly string[] Words =
    [
        "alpha", "river", "Paris", "blue", "seven", "north", "story", "light", "garden", "signal", "harbor", "maple",
    ];

    /// <summary>The JSON text (compact) of a value valid against <paramref name="schema"/>.</summary>
    public static string Sample(JsonElement schema, ulong seed)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var random = new SeededRandom(Mix.Hash(seed, 0x5CE3A));
            Write(writer, schema, schema, ref random, 0);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>A small free-form object (<c>response_format: json_object</c>): two or three word-valued keys.</summary>
    public static string SampleObject(ulong seed)
    {
        using var document = JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string"},"count":{"type":"integer","minimum":0,"maximum":100},"ok":{"type":"boolean"}},"required":["answer","count"]}""");
        return Sample(document.RootElement, seed);
    }

    private static void Write(Utf8JsonWriter writer, JsonElement schema, JsonElement root, ref SeededRandom random, int depth)
    {
        if (schema.ValueKind == JsonValueKind.False)
        {
            writer.WriteNullValue(); // nothing is valid; the caller's schema is unsatisfiable, so any value will do
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            writer.WriteStringValue(Word(ref random)); // `true` or not a schema: anything is valid
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference) && Resolve(root, reference.GetString()) is { } target && depth < 2 * MaxDepth)
        {
            Write(writer, target, root, ref random, depth + 1);
            return;
        }

        if (schema.TryGetProperty("const", out var constant))
        {
            constant.WriteTo(writer);
            return;
        }

        if (schema.TryGetProperty("enum", out var values) && values.ValueKind == JsonValueKind.Array && values.GetArrayLength() > 0)
        {
            values[Pick(ref random, values.GetArrayLength())].WriteTo(writer);
            return;
        }

        foreach (var keyword in (ReadOnlySpan<string>)["anyOf", "oneOf"])
        {
            if (schema.TryGetProperty(keyword, out var branches) && branches.ValueKind == JsonValueKind.Array && branches.GetArrayLength() > 0)
            {
                // Past the depth bound, a branch that does not recurse (no $ref) ends a recursive schema.
                var pick = Pick(ref random, branches.GetArrayLength());
                if (depth >= MaxDepth)
                {
                    var flat = branches.EnumerateArray().Select((b, i) => (b, i)).FirstOrDefault(x => !(x.b.ValueKind == JsonValueKind.Object && x.b.TryGetProperty("$ref", out _)));
                    pick = flat.b.ValueKind == JsonValueKind.Undefined ? pick : flat.i;
                }

                Write(writer, branches[pick], root, ref random, depth + 1);
                return;
            }
        }

        if (schema.TryGetProperty("allOf", out var all) && all.ValueKind == JsonValueKind.Array && all.GetArrayLength() > 0)
        {
            Write(writer, all[0], root, ref random, depth + 1);
            return;
        }

        switch (TypeOf(schema, ref random, depth))
        {
            case "object":
                WriteObject(writer, schema, root, ref random, depth);
                break;
            case "array":
                WriteArray(writer, schema, root, ref random, depth);
                break;
            case "integer":
                writer.WriteNumberValue(Integer(schema, ref random));
                break;
            case "number":
                writer.WriteNumberValue(Number(schema, ref random));
                break;
            case "boolean":
                writer.WriteBooleanValue(random.NextDouble() < 0.5);
                break;
            case "null":
                writer.WriteNullValue();
                break;
            default:
                writer.WriteStringValue(Text(schema, ref random));
                break;
        }
    }

    /// <summary>The type to write: the one declared, one of a declared list (null last resort when deep), or inferred.</summary>
    private static string TypeOf(JsonElement schema, ref SeededRandom random, int depth)
    {
        if (schema.TryGetProperty("type", out var type))
        {
            if (type.ValueKind == JsonValueKind.String)
            {
                return type.GetString()!;
            }

            if (type.ValueKind == JsonValueKind.Array && type.GetArrayLength() > 0)
            {
                var names = type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToList();
                if (depth >= MaxDepth && names.Contains("null"))
                {
                    return "null";
                }

                return names.Count == 0 ? "string" : names[Pick(ref random, names.Count)];
            }
        }

        return schema.TryGetProperty("properties", out _) ? "object" : schema.TryGetProperty("items", out _) ? "array" : "string";
    }

    private static void WriteObject(Utf8JsonWriter writer, JsonElement schema, JsonElement root, ref SeededRandom random, int depth)
    {
        writer.WriteStartObject();
        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object)
        {
            var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
                ? r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal)
                : [];
            foreach (var property in properties.EnumerateObject())
            {
                // Optional properties are written by a coin flip, and never past the depth bound.
                var include = required.Contains(property.Name) || (depth < MaxDepth && random.NextDouble() < 0.5);
                if (include)
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value, root, ref random, depth + 1);
                }
            }
        }

        writer.WriteEndObject();
    }

    private static void WriteArray(Utf8JsonWriter writer, JsonElement schema, JsonElement root, ref SeededRandom random, int depth)
    {
        var min = Bound(schema, "minItems") is { } lo ? (int)Math.Clamp(lo, 0, 64) : 0;
        var max = Bound(schema, "maxItems") is { } hi ? (int)Math.Clamp(hi, 0, 64) : Math.Max(min, MaxItems);
        var upper = depth >= MaxDepth ? min : Math.Max(min, Math.Min(max, Math.Max(min, MaxItems)));
        var count = min + Pick(ref random, upper - min + 1);
        var items = schema.TryGetProperty("items", out var i) ? i : default;
        writer.WriteStartArray();
        for (var n = 0; n < count; n++)
        {
            if (items.ValueKind == JsonValueKind.Undefined)
            {
                writer.WriteStringValue(Word(ref random));
            }
            else
            {
                Write(writer, items, root, ref random, depth + 1);
            }
        }

        writer.WriteEndArray();
    }

    private static long Integer(JsonElement schema, ref SeededRandom random)
    {
        long? lo = Bound(schema, "minimum") is { } a ? (long)Math.Ceiling(a) : Bound(schema, "exclusiveMinimum") is { } b ? (long)Math.Floor(b) + 1 : null;
        long? hi = Bound(schema, "maximum") is { } c ? (long)Math.Floor(c) : Bound(schema, "exclusiveMaximum") is { } d ? (long)Math.Ceiling(d) - 1 : null;
        var min = lo ?? (hi is { } h && h < 0 ? h - 100 : 0);
        var max = hi ?? min + 100;
        if (max <= min)
        {
            return min;
        }

        return Math.Min(max, min + (long)(random.NextDouble() * ((double)max - min + 1)));
    }

    private static double Number(JsonElement schema, ref SeededRandom random)
    {
        double? lo = Bound(schema, "minimum") ?? Bound(schema, "exclusiveMinimum");
        double? hi = Bound(schema, "maximum") ?? Bound(schema, "exclusiveMaximum");
        var min = lo ?? (hi is { } h && h < 0 ? h - 100 : 0);
        var max = hi ?? min + 100;
        if (max <= min)
        {
            return min;
        }

        // Two decimals, strictly inside the range so exclusive bounds hold too.
        var value = Math.Round(min + ((max - min) * (0.05 + (0.9 * random.NextDouble()))), 2);
        return value > min && value < max ? value : (min + max) / 2;
    }

    private static string Text(JsonElement schema, ref SeededRandom random)
    {
        var format = schema.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var text = format switch
        {
            "date-time" => "2024-03-0" + (1 + Pick(ref random, 9)).ToString(CultureInfo.InvariantCulture) + "T12:00:00Z",
            "date" => "2024-03-0" + (1 + Pick(ref random, 9)).ToString(CultureInfo.InvariantCulture),
            "time" => "12:00:00Z",
            "email" => Word(ref random) + "@example.com",
            "uri" or "url" => "https://example.com/" + Word(ref random),
            "uuid" => string.Create(CultureInfo.InvariantCulture, $"{(uint)(random.NextDouble() * uint.MaxValue):x8}-0000-4000-8000-000000000000"),
            _ => Word(ref random) + (random.NextDouble() < 0.5 ? " " + Word(ref random) : ""),
        };

        var min = Bound(schema, "minLength") is { } lo ? (int)Math.Clamp(lo, 0, 256) : 0;
        var max = Bound(schema, "maxLength") is { } hi ? (int)Math.Clamp(hi, 0, 4096) : int.MaxValue;
        while (text.Length < min)
        {
            text += "x";
        }

        return text.Length > max ? text[..Math.Max(max, min)] : text;
    }

    private static double? Bound(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDouble() : null;

    /// <summary>A local reference (<c>#</c>, <c>#/$defs/X</c>, <c>#/definitions/X</c>, any <c>#/a/b</c> pointer), else null.</summary>
    private static JsonElement? Resolve(JsonElement root, string? reference)
    {
        if (reference is null || !reference.StartsWith('#'))
        {
            return null;
        }

        var current = root;
        foreach (var segment in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(segment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }

    private static string Word(ref SeededRandom random) => Words[Pick(ref random, Words.Length)];

    private static int Pick(ref SeededRandom random, int count) => count <= 1 ? 0 : Math.Min(count - 1, (int)(random.NextDouble() * count));
}
