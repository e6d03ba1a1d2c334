using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockServer.Generation;

/// <summary>
/// Writes a JSON value meant to validate against a JSON Schema, as a pure function of the schema and a seed: what the
/// synthetic model "writes" as tool-call arguments and as structured output. Covers the keywords function and response
/// schemas use (type, properties, required, additional/patternProperties, min/maxProperties, enum, const, items,
/// prefixItems, min/maxItems, uniqueItems, minimum/maximum and their exclusive forms, multipleOf, min/maxLength, a
/// pattern some stock strings match, a few formats, local <c>$ref</c>, allOf merged, one anyOf/oneOf branch merged
/// with its siblings). It does not promise validity: <see cref="JsonSchemaCheck"/> judges every sample and the caller
/// retries other seeds (<see cref="TrySample"/>). Depth and sizes are bounded so a recursive or generous schema still
/// gives a short answer.
/// </summary>
internal static class JsonSchemaSampler
{
    private const int MaxDepth = 6;
    private const int MaxItems = 3;

    /// <summary>Seeds tried before a schema is declared beyond the mock (an arbitrary pattern, not, an unsatisfiable schema).</summary>
    public const int Attempts = 8;

    /// <summary>Integers stay where a double (and so every JSON parser) holds them exactly.</summary>
    private const double SafeInteger = 9007199254740991;

    private static readonly string[] Words =
    [
        "alpha", "river", "Paris", "blue", "seven", "north", "story", "light", "garden", "signal", "harbor", "maple",
    ];

    /// <summary>Stock strings tried against a <c>pattern</c> (codes, ids, dates, numbers, slugs): cheap, and enough for common patterns.</summary>
    private static readonly string[] PatternCandidates =
    [
        "alpha", "Paris", "river", "ALPHA", "US", "FR", "USD", "abc", "a", "A", "x", "1", "42", "12345", "3.14", "-7", "abc123", "A1",
        "alpha_river", "alpha-river", "alpha.river", "Alpha River", "x-alpha", "2024-03-01", "2024-03-01T12:00:00Z", "12:00", "12:00:00",
        "alpha@example.com", "https://example.com/alpha", "#a1b2c3", "+15551234567", "555-123-4567", "123-45-6789", "AB-1234", "v1.2.3",
        "00000000-0000-4000-8000-000000000000", "true", "SGVsbG8=",
    ];

    /// <summary>The JSON text (compact) the sampler writes for a schema and a seed, unchecked.</summary>
    public static string Sample(JsonElement schema, ulong seed, bool objectRoot = false) =>
        Sample(schema, seed, new JsonSchemaCheck(schema, SchemaBudget.Unbounded), SchemaBudget.Unbounded, objectRoot);

    /// <summary>
    /// A sample that validates against <paramref name="schema"/> (and, for <paramref name="objectRoot"/>, is an object),
    /// trying <see cref="Attempts"/> seeds derived from <paramref name="seed"/>; null when none does.
    /// </summary>
    /// <exception cref="SchemaBudgetExceededException">The schema needs more work than <paramref name="budget"/> allows.</exception>
    public static string? TrySample(JsonElement schema, ulong seed, SchemaBudget budget, bool objectRoot = false)
    {
        var check = new JsonSchemaCheck(schema, budget);
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var text = Sample(schema, attempt == 0 ? seed : Mix.Hash(seed, (ulong)attempt), check, budget, objectRoot);
            using var document = JsonDocument.Parse(text);
            if ((!objectRoot || document.RootElement.ValueKind == JsonValueKind.Object) && check.IsValid(document.RootElement))
            {
                return text;
            }
        }

        return null;
    }

    /// <summary>A small free-form object (<c>response_format: json_object</c>): two or three word-valued keys.</summary>
    public static string SampleObject(ulong seed)
    {
        using var document = JsonDocument.Parse("""{"type":"object","properties":{"answer":{"type":"string"},"count":{"type":"integer","minimum":0,"maximum":100},"ok":{"type":"boolean"}},"required":["answer","count"]}""");
        return Sample(document.RootElement, seed);
    }

    private static string Sample(JsonElement schema, ulong seed, JsonSchemaCheck check, SchemaBudget budget, bool objectRoot)
    {
        var random = new SeededRandom(Mix.Hash(seed, 0x5CE3A));
        return Render(new Context(schema, check, budget), schema, ref random, 0, objectRoot ? "object" : null);
    }

    private sealed record Context(JsonElement Root, JsonSchemaCheck Check, SchemaBudget Budget);

    private static string Render(Context ctx, JsonElement schema, ref SeededRandom random, int depth, string? defaultType = null)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            Write(writer, ctx, schema, ref random, depth, defaultType);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void Write(Utf8JsonWriter writer, Context ctx, JsonElement schema, ref SeededRandom random, int depth, string? defaultType = null)
    {
        ctx.Budget.Spend(); // one per value written: bounds both time and the size of what is built
        if (schema.ValueKind == JsonValueKind.False)
        {
            writer.WriteNullValue(); // nothing is valid; the check refuses whatever is written
            return;
        }

        if (schema.ValueKind != JsonValueKind.Object)
        {
            writer.WriteStringValue(Word(ref random)); // `true`: anything is valid
            return;
        }

        if (schema.TryGetProperty("$ref", out var reference) && reference.ValueKind == JsonValueKind.String
            && JsonSchemaRefs.Resolve(ctx.Root, reference.GetString()!) is { } target && depth < 2 * MaxDepth)
        {
            // Siblings of $ref constrain too (2019-09 on): merged with the target when there are any.
            var rest = Without(schema, "$ref");
            Write(writer, ctx, rest is null ? target : Merge(ctx, [target, rest.Value], depth), ref random, depth + 1, defaultType);
            return;
        }

        if (schema.TryGetProperty("allOf", out var all) && all.ValueKind == JsonValueKind.Array && all.GetArrayLength() > 0 && depth < 2 * MaxDepth)
        {
            var parts = all.EnumerateArray().ToList();
            if (Without(schema, "allOf") is { } own)
            {
                parts.Insert(0, own);
            }

            Write(writer, ctx, Merge(ctx, parts, depth), ref random, depth + 1, defaultType);
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

                var rest = Without(schema, keyword);
                Write(writer, ctx, rest is null ? branches[pick] : Merge(ctx, [rest.Value, branches[pick]], depth), ref random, depth + 1, defaultType);
                return;
            }
        }

        switch (TypeOf(schema, ref random, depth, defaultType))
        {
            case "object":
                WriteObject(writer, ctx, schema, ref random, depth);
                break;
            case "array":
                WriteArray(writer, ctx, schema, ref random, depth);
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
                writer.WriteStringValue(Text(ctx, schema, ref random));
                break;
        }
    }

    /// <summary>The type to write: the one declared, one of a declared list (null last resort when deep), or inferred from the keywords.</summary>
    private static string TypeOf(JsonElement schema, ref SeededRandom random, int depth, string? defaultType)
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
                if (defaultType is not null && names.Contains(defaultType))
                {
                    return defaultType;
                }

                if (depth >= MaxDepth && names.Contains("null"))
                {
                    return "null";
                }

                return names.Count == 0 ? "string" : names[Pick(ref random, names.Count)];
            }
        }

        if (defaultType is not null)
        {
            return defaultType;
        }

        static bool Has(JsonElement s, params ReadOnlySpan<string> keywords)
        {
            foreach (var k in keywords)
            {
                if (s.TryGetProperty(k, out _))
                {
                    return true;
                }
            }

            return false;
        }

        return Has(schema, "properties", "required", "additionalProperties", "patternProperties", "minProperties", "maxProperties") ? "object"
            : Has(schema, "items", "prefixItems", "minItems", "maxItems", "uniqueItems") ? "array"
            : Has(schema, "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf") ? "number"
            : "string";
    }

    /// <summary>The schema without one keyword, or null when nothing but annotations would be left.</summary>
    private static JsonElement? Without(JsonElement schema, string keyword)
    {
        if (!schema.EnumerateObject().Any(p => p.Name != keyword && !Annotations.Contains(p.Name)))
        {
            return null;
        }

        var node = new JsonObject();
        foreach (var p in schema.EnumerateObject().Where(p => p.Name != keyword))
        {
            node[p.Name] = JsonNode.Parse(p.Value.GetRawText());
        }

        return JsonSerializer.SerializeToElement(node);
    }

    private static readonly HashSet<string> Annotations = new(StringComparer.Ordinal)
    {
        "title", "description", "default", "examples", "$comment", "$schema", "$id", "$anchor", "deprecated", "readOnly", "writeOnly", "strict", "$defs", "definitions",
    };

    private static readonly HashSet<string> Lower = new(StringComparer.Ordinal) { "minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties" };

    private static readonly HashSet<string> Upper = new(StringComparer.Ordinal) { "maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties" };

    /// <summary>
    /// One schema holding the constraints of all <paramref name="parts"/> (allOf's meaning): properties merged (a name in
    /// two parts takes both schemas), required and types combined, the tightest bound of each kind, subschemas of the
    /// same keyword joined by allOf; for other keywords the first part's value stands and the check judges the rest.
    /// </summary>
    private static JsonElement Merge(Context ctx, List<JsonElement> parts, int depth)
    {
        var root = ctx.Root;
        var merged = new JsonObject();
        var queue = new Queue<(JsonElement Part, int Depth)>(parts.Select(p => (p, depth)));
        while (queue.Count > 0)
        {
            var (part, at) = queue.Dequeue();
            ctx.Budget.Spend();
            if (part.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            foreach (var keyword in part.EnumerateObject())
            {
                var value = keyword.Value;
                switch (keyword.Name)
                {
                    case "$ref" when value.ValueKind == JsonValueKind.String && at < 2 * MaxDepth && JsonSchemaRefs.Resolve(root, value.GetString()!) is { } target:
                        queue.Enqueue((target, at + 1));
                        break;
                    case "allOf" when value.ValueKind == JsonValueKind.Array && at < 2 * MaxDepth:
                        foreach (var branch in value.EnumerateArray())
                        {
                            queue.Enqueue((branch, at + 1));
                        }

                        break;
                    case "properties" when value.ValueKind == JsonValueKind.Object:
                        var properties = merged["properties"] as JsonObject ?? [];
                        merged["properties"] = properties;
                        foreach (var property in value.EnumerateObject())
                        {
                            var schema = JsonNode.Parse(property.Value.GetRawText());
                            properties[property.Name] = properties[property.Name] is { } existing
                                ? new JsonObject { ["allOf"] = new JsonArray(existing.DeepClone(), schema) }
                                : schema;
                        }

                        break;
                    case "required" when value.ValueKind == JsonValueKind.Array:
                        var required = merged["required"] as JsonArray ?? [];
                        merged["required"] = required;
                        foreach (var name in value.EnumerateArray().Where(n => n.ValueKind == JsonValueKind.String).Select(n => n.GetString()!))
                        {
                            if (!required.Any(r => r?.GetValue<string>() == name))
                            {
                                required.Add(name);
                            }
                        }

                        break;
                    case "type" when merged["type"] is { } existingType:
                        var mine = Types(JsonSerializer.SerializeToElement(existingType));
                        var common = mine.Intersect(Types(value)).ToList();
                        if (common.Count == 0 && mine.Contains("number") && Types(value).Contains("integer"))
                        {
                            common.Add("integer");
                        }

                        merged["type"] = new JsonArray([.. common.Select(t => (JsonNode)t!)]);
                        break;
                    case var name when Lower.Contains(name) && value.ValueKind == JsonValueKind.Number:
                        merged[name] = merged[name] is { } lower && lower.GetValue<double>() >= value.GetDouble() ? lower : JsonNode.Parse(value.GetRawText());
                        break;
                    case var name when Upper.Contains(name) && value.ValueKind == JsonValueKind.Number:
                        merged[name] = merged[name] is { } upper && upper.GetValue<double>() <= value.GetDouble() ? upper : JsonNode.Parse(value.GetRawText());
                        break;
                    case "multipleOf" when value.ValueKind == JsonValueKind.Number && merged["multipleOf"] is { } step:
                        var (a, b) = (step.GetValue<double>(), value.GetDouble());
                        merged["multipleOf"] = Math.Abs((b / a) - Math.Round(b / a)) < 1e-9 ? b : a; // the larger when one divides the other
                        break;
                    case "enum" when value.ValueKind == JsonValueKind.Array && merged["enum"] is JsonArray allowed:
                        ctx.Budget.Spend((long)allowed.Count * value.GetArrayLength()); // a pairwise intersection
                        merged["enum"] = new JsonArray([.. allowed.Where(e => value.EnumerateArray().Any(v => JsonElement.DeepEquals(v, JsonSerializer.SerializeToElement(e)))).Select(e => e?.DeepClone())]);
                        break;
                    case "items" or "additionalProperties" or "not" or "propertyNames" when merged[keyword.Name] is { } sub:
                        merged[keyword.Name] = new JsonObject { ["allOf"] = new JsonArray(sub.DeepClone(), JsonNode.Parse(value.GetRawText())) };
                        break;
                    case var name when merged[name] is null:
                        merged[name] = JsonNode.Parse(value.GetRawText());
                        break;
                }
            }
        }

        return JsonSerializer.SerializeToElement(merged);
    }

    private static List<string> Types(JsonElement type) => type.ValueKind switch
    {
        JsonValueKind.String => [type.GetString()!],
        JsonValueKind.Array => [.. type.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!)],
        _ => [],
    };

    private static void WriteObject(Utf8JsonWriter writer, Context ctx, JsonElement schema, ref SeededRandom random, int depth)
    {
        var properties = schema.TryGetProperty("properties", out var p) && p.ValueKind == JsonValueKind.Object ? p : default;
        var required = schema.TryGetProperty("required", out var r) && r.ValueKind == JsonValueKind.Array
            ? r.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).Distinct(StringComparer.Ordinal).ToList()
            : [];
        var min = Bound(schema, "minProperties") is { } lo ? (int)Math.Clamp(lo, 0, 64) : 0;
        var max = Bound(schema, "maxProperties") is { } hi ? (int)Math.Clamp(hi, 0, int.MaxValue) : int.MaxValue;
        var written = new HashSet<string>(StringComparer.Ordinal);

        writer.WriteStartObject();
        foreach (var name in required)
        {
            WriteProperty(writer, ctx, schema, properties, name, written, ref random, depth);
        }

        // Optional properties by a coin flip (never past the depth bound, never past maxProperties), then as many
        // more as minProperties needs: declared ones first, then names patternProperties or additionalProperties allow.
        var optional = properties.ValueKind == JsonValueKind.Object ? properties.EnumerateObject().Select(x => x.Name).Where(n => !written.Contains(n)).ToList() : [];
        foreach (var name in optional)
        {
            if (written.Count < max && depth < MaxDepth && random.NextDouble() < 0.5)
            {
                WriteProperty(writer, ctx, schema, properties, name, written, ref random, depth);
            }
        }

        foreach (var name in optional)
        {
            if (written.Count < min && !written.Contains(name))
            {
                WriteProperty(writer, ctx, schema, properties, name, written, ref random, depth);
            }
        }

        var additional = schema.TryGetProperty("additionalProperties", out var a) ? a : default;
        for (var n = 0; written.Count < min && n < 4 * min + PatternCandidates.Length; n++)
        {
            var name = ExtraName(ctx, schema, additional, n, ref random);
            if (name is not null && !written.Contains(name))
            {
                WriteProperty(writer, ctx, schema, properties, name, written, ref random, depth);
            }
        }

        writer.WriteEndObject();
    }

    /// <summary>A property and a value for it: its declared schema, else those of the patterns it matches, else additionalProperties.</summary>
    private static void WriteProperty(Utf8JsonWriter writer, Context ctx, JsonElement schema, JsonElement properties, string name, HashSet<string> written, ref SeededRandom random, int depth)
    {
        written.Add(name);
        writer.WritePropertyName(name);
        if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out var declared))
        {
            Write(writer, ctx, declared, ref random, depth + 1);
            return;
        }

        var matching = new List<JsonElement>();
        if (schema.TryGetProperty("patternProperties", out var patterns) && patterns.ValueKind == JsonValueKind.Object)
        {
            matching.AddRange(patterns.EnumerateObject().Where(pp => ctx.Check.Pattern(pp.Name)?.IsMatch(name) == true).Select(pp => pp.Value));
        }

        if (matching.Count == 0 && schema.TryGetProperty("additionalProperties", out var additional))
        {
            matching.Add(additional);
        }

        Write(writer, ctx, matching.Count switch { 0 => default, 1 => matching[0], _ => Merge(ctx, matching, depth) }, ref random, depth + 1);
    }

    /// <summary>A name for an extra property: one a patternProperties pattern accepts, else a word when additionalProperties allows it; null when neither.</summary>
    private static string? ExtraName(Context ctx, JsonElement schema, JsonElement additional, int n, ref SeededRandom random)
    {
        if (schema.TryGetProperty("patternProperties", out var patterns) && patterns.ValueKind == JsonValueKind.Object)
        {
            foreach (var pattern in patterns.EnumerateObject())
            {
                if (ctx.Check.Pattern(pattern.Name) is { } regex)
                {
                    ctx.Budget.Spend(2 * PatternCandidates.Length + Words.Length); // the candidates tried below
                    var suffix = n.ToString(CultureInfo.InvariantCulture);
                    var names = PatternCandidates.Concat(PatternCandidates.Select(c => c + suffix)).Concat(Words.Select(w => w + "_" + suffix)).Where(c => regex.IsMatch(c)).ToList();
                    if (names.Count > 0)
                    {
                        return names[Pick(ref random, names.Count)];
                    }
                }
            }
        }

        return additional.ValueKind == JsonValueKind.False ? null : Word(ref random).ToLowerInvariant() + "_" + n.ToString(CultureInfo.InvariantCulture);
    }

    private static void WriteArray(Utf8JsonWriter writer, Context ctx, JsonElement schema, ref SeededRandom random, int depth)
    {
        var tuple = schema.TryGetProperty("prefixItems", out var prefix) && prefix.ValueKind == JsonValueKind.Array ? prefix
            : schema.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array ? list : default;
        var tupleLength = tuple.ValueKind == JsonValueKind.Array ? tuple.GetArrayLength() : 0;
        var items = schema.TryGetProperty("items", out var i) && i.ValueKind != JsonValueKind.Array ? i
            : tupleLength > 0 && schema.TryGetProperty("additionalItems", out var extra) ? extra : default;
        var min = Bound(schema, "minItems") is { } lo ? (int)Math.Clamp(lo, 0, 64) : 0;
        var max = Bound(schema, "maxItems") is { } hi ? (int)Math.Clamp(hi, 0, 64) : Math.Max(min, Math.Max(MaxItems, tupleLength));
        var upper = depth >= MaxDepth ? Math.Max(min, Math.Min(max, tupleLength)) : Math.Max(min, Math.Min(max, Math.Max(MaxItems, tupleLength)));
        var count = min + Pick(ref random, upper - min + 1);
        var unique = schema.TryGetProperty("uniqueItems", out var u) && u.ValueKind == JsonValueKind.True;
        var seen = new HashSet<string>(StringComparer.Ordinal);

        writer.WriteStartArray();
        for (int n = 0, tries = 0; n < count && tries < 4 * (count + 1); tries++)
        {
            var itemSchema = n < tupleLength ? tuple[n] : items;
            var text = itemSchema.ValueKind == JsonValueKind.Undefined ? JsonSerializer.Serialize(Word(ref random)) : Render(ctx, itemSchema, ref random, depth + 1);
            if (unique && !seen.Add(text))
            {
                continue; // a repeat breaks uniqueItems: draw again
            }

            writer.WriteRawValue(text, skipInputValidation: true);
            n++;
        }

        writer.WriteEndArray();
    }

    private static double Integer(JsonElement schema, ref SeededRandom random)
    {
        var lo = Bound(schema, "minimum") is { } a ? Math.Ceiling(a) : Bound(schema, "exclusiveMinimum") is { } b ? Math.Floor(b) + 1 : double.NegativeInfinity;
        var hi = Bound(schema, "maximum") is { } c ? Math.Floor(c) : Bound(schema, "exclusiveMaximum") is { } d ? Math.Ceiling(d) - 1 : double.PositiveInfinity;
        var step = Bound(schema, "multipleOf") is { } m && m > 0 && m == Math.Floor(m) ? m : 1;
        return Multiple(lo, hi, step, ref random);
    }

    private static double Number(JsonElement schema, ref SeededRandom random)
    {
        var exclusiveLow = Bound(schema, "exclusiveMinimum");
        var exclusiveHigh = Bound(schema, "exclusiveMaximum");
        var lo = Math.Max(Bound(schema, "minimum") ?? double.NegativeInfinity, exclusiveLow ?? double.NegativeInfinity);
        var hi = Math.Min(Bound(schema, "maximum") ?? double.PositiveInfinity, exclusiveHigh ?? double.PositiveInfinity);
        if (Bound(schema, "multipleOf") is { } m && m > 0)
        {
            // k * m for an integer k inside the range (exclusive ends stepped over).
            var k = Multiple(Math.Ceiling(lo / m) + (exclusiveLow is { } el && Math.Ceiling(lo / m) * m <= el ? 1 : 0), Math.Floor(hi / m) - (exclusiveHigh is { } eh && Math.Floor(hi / m) * m >= eh ? 1 : 0), 1, ref random);
            return (double)((decimal)k * (decimal)m);
        }

        var min = double.IsFinite(lo) ? lo : double.IsFinite(hi) ? hi - 100 : 0;
        var max = double.IsFinite(hi) ? hi : min + 100;
        if (max <= min)
        {
            return min;
        }

        // Two decimals, strictly inside the range so exclusive bounds hold too.
        var value = Math.Round(min + ((max - min) * (0.05 + (0.9 * random.NextDouble()))), 2);
        return value > min && value < max ? value : (min + max) / 2;
    }

    /// <summary>
    /// A multiple of <paramref name="step"/> in [lo, hi] (either end may be infinite), near 0..100 when unbounded, and
    /// never beyond ±2^53 (what every JSON parser holds exactly); out of range when the range holds none, so the check refuses it.
    /// </summary>
    private static double Multiple(double lo, double hi, double step, ref SeededRandom random)
    {
        var floor = Math.Ceiling(-SafeInteger / step);
        var ceiling = Math.Floor(SafeInteger / step);
        var first = Math.Max(floor, Math.Ceiling(lo / step));
        var last = Math.Min(ceiling, Math.Floor(hi / step));
        var span = Math.Floor(100 / step);
        if (!double.IsFinite(lo) && !double.IsFinite(hi))
        {
            (first, last) = (0, span);
        }
        else if (!double.IsFinite(hi))
        {
            last = Math.Min(ceiling, first + span);
        }
        else if (!double.IsFinite(lo))
        {
            first = Math.Max(floor, last - span);
        }

        if (last < first)
        {
            return Math.Clamp(first, floor, ceiling) * step;
        }

        return (first + Math.Min(last - first, Math.Floor(random.NextDouble() * (last - first + 1)))) * step;
    }

    private static string Text(Context ctx, JsonElement schema, ref SeededRandom random)
    {
        var format = schema.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
        var text = format switch
        {
            "date-time" => "2024-03-0" + (1 + Pick(ref random, 9)).ToString(CultureInfo.InvariantCulture) + "T12:00:00Z",
            "date" => "2024-03-0" + (1 + Pick(ref random, 9)).ToString(CultureInfo.InvariantCulture),
            "time" => "12:00:00Z",
            "email" => Word(ref random).ToLowerInvariant() + "@example.com",
            "uri" or "url" => "https://example.com/" + Word(ref random),
            "uuid" => string.Create(CultureInfo.InvariantCulture, $"{(uint)(random.NextDouble() * uint.MaxValue):x8}-0000-4000-8000-000000000000"),
            _ => Word(ref random) + (random.NextDouble() < 0.5 ? " " + Word(ref random) : ""),
        };

        var min = Bound(schema, "minLength") is { } lo ? (int)Math.Clamp(lo, 0, 256) : 0;
        var max = Bound(schema, "maxLength") is { } hi ? (int)Math.Clamp(hi, 0, 4096) : int.MaxValue;

        // A pattern: the text if it matches, else a stock string that does (and fits the lengths).
        if (schema.TryGetProperty("pattern", out var p) && p.ValueKind == JsonValueKind.String && ctx.Check.Pattern(p.GetString()!) is { } regex && !regex.IsMatch(text))
        {
            var fits = PatternCandidates.Concat(Words).Where(c => c.Length >= min && c.Length <= max && regex.IsMatch(c)).ToList();
            if (fits.Count > 0)
            {
                return fits[Pick(ref random, fits.Count)];
            }
        }

        while (text.Length < min)
        {
            text += "x";
        }

        return text.Length > max ? text[..Math.Max(max, min)] : text;
    }

    private static double? Bound(JsonElement schema, string keyword) =>
        schema.TryGetProperty(keyword, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && double.IsFinite(d) ? d : null;

    private static string Word(ref SeededRandom random) => Words[Pick(ref random, Words.Length)];

    private static int Pick(ref SeededRandom random, int count) => count <= 1 ? 0 : Math.Min(count - 1, (int)(random.NextDouble() * count));
}
