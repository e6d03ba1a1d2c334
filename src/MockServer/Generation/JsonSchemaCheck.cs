using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MockServer.Generation;

/// <summary>
/// Whether a generated value validates against a request's JSON Schema: the check that makes "arguments valid against
/// the parameter schema" a guarantee rather than a hope (the sampler covers the common keywords; this judges all of
/// them). A schema keyword that asserts something this check does not evaluate makes the value unverified (false),
/// never silently valid. Our own walker over <see cref="JsonElement"/> rather than NJsonSchema 10.7, which ignores
/// <c>const</c> and <c>$defs</c> and resolves remote references.
/// </summary>
internal sealed class JsonSchemaCheck(JsonElement root, SchemaBudget budget)
{
    /// <summary>Schema steps one check may take (a <c>$ref</c> to itself consumes no value).</summary>
    private const int MaxDepth = 64;

    /// <summary>Keywords that assert something this check does not evaluate: a schema using one cannot be verified.</summary>
    private static readonly HashSet<string> Unchecked = new(StringComparer.Ordinal)
    {
        "unevaluatedProperties", "unevaluatedItems", "dependentSchemas", "dependencies", "contains", "minContains", "maxContains",
        "$dynamicRef", "$recursiveRef", "contentSchema",
    };

    // Patterns compiled once per check (per request), on the linear-time engine: a request's regex cannot stall the server.
    private readonly Dictionary<string, Regex?> _patterns = new(StringComparer.Ordinal);

    public bool IsValid(JsonElement value) => Valid(value, root, 0);

    /// <summary>The pattern compiled, or null when .NET's linear-time engine cannot run it (lookaround, backreference, bad syntax).</summary>
    public Regex? Pattern(string pattern)
    {
        if (!_patterns.TryGetValue(pattern, out var regex))
        {
            try
            {
                regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                regex = null;
            }

            _patterns[pattern] = regex;
        }

        return regex;
    }

    private bool Valid(JsonElement value, JsonElement schema, int depth)
    {
        budget.Spend();
        if (schema.ValueKind == JsonValueKind.True)
        {
            return true;
        }

        if (schema.ValueKind != JsonValueKind.Object || depth > MaxDepth)
        {
            return false; // false, or not a schema: nothing is known valid
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            if (!Keyword(value, keyword.Name, keyword.Value, schema, depth + 1))
            {
                return false;
            }
        }

        return true;
    }

    private bool Keyword(JsonElement value, string name, JsonElement k, JsonElement schema, int depth)
    {
        if (Unchecked.Contains(name))
        {
            return false;
        }

        switch (name)
        {
            case "$ref":
                return k.ValueKind == JsonValueKind.String && JsonSchemaRefs.Resolve(root, k.GetString()!) is { } target && Valid(value, target, depth);
            case "type":
                return k.ValueKind == JsonValueKind.String ? IsType(value, k.GetString()!) : k.ValueKind == JsonValueKind.Array && k.EnumerateArray().Any(t => t.ValueKind == JsonValueKind.String && IsType(value, t.GetString()!));
            case "enum":
                return k.ValueKind == JsonValueKind.Array && k.EnumerateArray().Any(e => JsonElement.DeepEquals(e, value));
            case "const":
                return JsonElement.DeepEquals(k, value);
            case "allOf":
                return k.ValueKind == JsonValueKind.Array && k.EnumerateArray().All(s => Valid(value, s, depth));
            case "anyOf":
                return k.ValueKind == JsonValueKind.Array && k.EnumerateArray().Any(s => Valid(value, s, depth));
            case "oneOf":
                return k.ValueKind == JsonValueKind.Array && k.EnumerateArray().Count(s => Valid(value, s, depth)) == 1;
            case "not":
                return !Valid(value, k, depth);
            case "if":
                return Valid(value, k, depth)
                    ? !schema.TryGetProperty("then", out var then) || Valid(value, then, depth)
                    : !schema.TryGetProperty("else", out var otherwise) || Valid(value, otherwise, depth);
        }

        return value.ValueKind switch
        {
            JsonValueKind.Object => ObjectKeyword(value, name, k, schema, depth),
            JsonValueKind.Array => ArrayKeyword(value, name, k, schema, depth),
            JsonValueKind.Number => NumberKeyword(value, name, k, schema),
            JsonValueKind.String => StringKeyword(value.GetString()!, name, k),
            _ => true,
        };
    }

    private bool ObjectKeyword(JsonElement value, string name, JsonElement k, JsonElement schema, int depth)
    {
        switch (name)
        {
            case "required":
                return k.ValueKind == JsonValueKind.Array && k.EnumerateArray().All(r => r.ValueKind == JsonValueKind.String && value.TryGetProperty(r.GetString()!, out _));
            case "minProperties":
                return Count(k) is { } min && value.EnumerateObject().Count() >= min;
            case "maxProperties":
                return Count(k) is { } max && value.EnumerateObject().Count() <= max;
            case "properties":
                return k.ValueKind == JsonValueKind.Object && value.EnumerateObject().All(p => !k.TryGetProperty(p.Name, out var s) || Valid(p.Value, s, depth));
            case "patternProperties":
                return k.ValueKind == JsonValueKind.Object && k.EnumerateObject().All(pp => Pattern(pp.Name) is { } regex
                    && value.EnumerateObject().All(p => !regex.IsMatch(p.Name) || Valid(p.Value, pp.Value, depth)));
            case "additionalProperties":
                return value.EnumerateObject().All(p => Declared(schema, p.Name) is { } declared && (declared || Valid(p.Value, k, depth)));
            case "propertyNames":
                return value.EnumerateObject().All(p => Valid(JsonSerializer.SerializeToElement(p.Name), k, depth));
            case "dependentRequired":
                return k.ValueKind == JsonValueKind.Object && k.EnumerateObject().All(d => !value.TryGetProperty(d.Name, out _)
                    || (d.Value.ValueKind == JsonValueKind.Array && d.Value.EnumerateArray().All(r => r.ValueKind == JsonValueKind.String && value.TryGetProperty(r.GetString()!, out _))));
            default:
                return true;
        }
    }

    /// <summary>Whether properties or patternProperties cover a name (so additionalProperties does not apply); null when a pattern cannot be run.</summary>
    private bool? Declared(JsonElement schema, string name)
    {
        if (schema.TryGetProperty("properties", out var properties) && properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(name, out _))
        {
            return true;
        }

        if (schema.TryGetProperty("patternProperties", out var patterns) && patterns.ValueKind == JsonValueKind.Object)
        {
            foreach (var pattern in patterns.EnumerateObject())
            {
                if (Pattern(pattern.Name) is not { } regex)
                {
                    return null;
                }

                if (regex.IsMatch(name))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private bool ArrayKeyword(JsonElement value, string name, JsonElement k, JsonElement schema, int depth)
    {
        var length = value.GetArrayLength();
        var prefix = schema.TryGetProperty("prefixItems", out var p) && p.ValueKind == JsonValueKind.Array ? p.GetArrayLength() : 0;
        switch (name)
        {
            case "minItems":
                return Count(k) is { } min && length >= min;
            case "maxItems":
                return Count(k) is { } max && length <= max;
            case "prefixItems":
                return k.ValueKind == JsonValueKind.Array && value.EnumerateArray().Take(prefix).Select((item, i) => Valid(item, k[i], depth)).All(ok => ok);
            case "items" when k.ValueKind == JsonValueKind.Array: // draft 4 tuple form
                var tuple = k.GetArrayLength();
                var extra = schema.TryGetProperty("additionalItems", out var additional) ? additional : default;
                return value.EnumerateArray().Select((item, i) => i < tuple ? Valid(item, k[i], depth) : extra.ValueKind == JsonValueKind.Undefined || Valid(item, extra, depth)).All(ok => ok);
            case "items":
                return value.EnumerateArray().Skip(prefix).All(item => Valid(item, k, depth));
            case "uniqueItems":
                if (k.ValueKind != JsonValueKind.True)
                {
                    return true;
                }

                var items = value.EnumerateArray().ToList();
                return !items.Where((a, i) => items.Skip(i + 1).Any(b => JsonElement.DeepEquals(a, b))).Any();
            default:
                return true;
        }
    }

    private static bool NumberKeyword(JsonElement value, string name, JsonElement k, JsonElement schema)
    {
        if (name is not ("minimum" or "maximum" or "exclusiveMinimum" or "exclusiveMaximum" or "multipleOf"))
        {
            return true;
        }

        if (k.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return true; // draft 4's boolean exclusive flags, judged with minimum/maximum below
        }

        if (k.ValueKind != JsonValueKind.Number)
        {
            return false;
        }

        var comparison = Compare(value, k);
        var exclusive = schema.TryGetProperty("exclusive" + (name == "minimum" ? "Minimum" : "Maximum"), out var flag) && flag.ValueKind == JsonValueKind.True;
        return name switch
        {
            "minimum" => exclusive ? comparison > 0 : comparison >= 0,
            "maximum" => exclusive ? comparison < 0 : comparison <= 0,
            "exclusiveMinimum" => comparison > 0,
            "exclusiveMaximum" => comparison < 0,
            _ => IsMultiple(value, k),
        };
    }

    private bool StringKeyword(string text, string name, JsonElement k)
    {
        switch (name)
        {
            case "minLength":
                return Count(k) is { } min && text.EnumerateRunes().Count() >= min; // JSON Schema counts code points
            case "maxLength":
                return Count(k) is { } max && text.EnumerateRunes().Count() <= max;
            case "pattern":
                return k.ValueKind == JsonValueKind.String && Pattern(k.GetString()!) is { } regex && regex.IsMatch(text);
            case "format":
                return k.ValueKind != JsonValueKind.String || IsFormat(text, k.GetString()!);
            default:
                return true;
        }
    }

    /// <summary>The formats the sampler writes, checked as validators that assert formats do; others are annotations.</summary>
    private static bool IsFormat(string text, string format) => format switch
    {
        "date-time" => text.Contains('T', StringComparison.Ordinal) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "date" => DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _),
        "email" => text.IndexOf('@', StringComparison.Ordinal) is > 0 and var at && at < text.Length - 1,
        "uri" or "url" => Uri.TryCreate(text, UriKind.Absolute, out _),
        "uuid" => Guid.TryParseExact(text, "D", out _),
        _ => true,
    };

    private static bool IsType(JsonElement value, string type) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "number" => value.ValueKind == JsonValueKind.Number,
        "integer" => value.ValueKind == JsonValueKind.Number && (value.TryGetInt64(out _) || (value.TryGetDouble(out var d) && double.IsFinite(d) && d == Math.Floor(d))),
        _ => false,
    };

    private static int Compare(JsonElement value, JsonElement bound) =>
        value.TryGetDecimal(out var a) && bound.TryGetDecimal(out var b) ? a.CompareTo(b) : value.GetDouble().CompareTo(bound.GetDouble());

    private static bool IsMultiple(JsonElement value, JsonElement step)
    {
        if (value.TryGetDecimal(out var a) && step.TryGetDecimal(out var b))
        {
            return b > 0 && a % b == 0;
        }

        var quotient = value.GetDouble() / step.GetDouble();
        return double.IsFinite(quotient) && Math.Abs(quotient - Math.Round(quotient)) < 1e-9;
    }

    private static long? Count(JsonElement k) => k.ValueKind == JsonValueKind.Number && k.TryGetDouble(out var d) && d >= 0 && d == Math.Floor(d) ? (long)Math.Min(d, long.MaxValue) : null;
}
