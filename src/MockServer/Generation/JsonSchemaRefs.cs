using System.Text.Json;

namespace MockServer.Generation;

/// <summary>
/// Local <c>$ref</c>s of a request's schema: resolved by JSON pointer inside the schema itself, never fetched (a mock
/// must not reach the network on a client's say-so).
/// </summary>
internal static class JsonSchemaRefs
{
    private static readonly HashSet<string> SchemaMaps = new(StringComparer.Ordinal) { "properties", "patternProperties", "$defs", "definitions", "dependentSchemas" };

    private static readonly HashSet<string> SchemaLists = new(StringComparer.Ordinal) { "allOf", "anyOf", "oneOf", "prefixItems", "items" };

    private static readonly HashSet<string> SchemaValues = new(StringComparer.Ordinal)
    {
        "not", "items", "additionalProperties", "additionalItems", "contains", "propertyNames", "if", "then", "else", "unevaluatedProperties", "unevaluatedItems",
    };

    /// <summary>A local reference (<c>#</c>, <c>#/$defs/X</c>, <c>#/definitions/X</c>, any <c>#/a/b</c> pointer), else null.</summary>
    public static JsonElement? Resolve(JsonElement root, string reference)
    {
        if (!reference.StartsWith('#'))
        {
            return null;
        }

        var current = root;
        foreach (var segment in reference[1..].Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var name = Uri.UnescapeDataString(segment).Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (current.ValueKind == JsonValueKind.Array && int.TryParse(name, out var index) && index >= 0 && index < current.GetArrayLength())
            {
                current = current[index];
            }
            else if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(name, out current))
            {
                return null;
            }
        }

        return current;
    }

    /// <summary>
    /// Why a <c>$ref</c> somewhere in the schema cannot be followed (not a string, not local, or pointing at nothing),
    /// or null when every one resolves. Walks schema positions only, so a property that is merely named <c>$ref</c> is fine.
    /// </summary>
    public static string? Broken(JsonElement root) => Broken(root, root);

    private static string? Broken(JsonElement root, JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        foreach (var keyword in schema.EnumerateObject())
        {
            var value = keyword.Value;
            string? problem = null;
            if (keyword.Name == "$ref")
            {
                problem = value.ValueKind != JsonValueKind.String
                    ? $"'$ref' must be a string, but got {value.ValueKind.ToString().ToLowerInvariant()}"
                    : Resolve(root, value.GetString()!) is null
                        ? $"'$ref' '{value.GetString()}' does not resolve to a definition inside the schema (only local references such as '#/$defs/Name' are followed)"
                        : null;
            }
            else if (SchemaMaps.Contains(keyword.Name) && value.ValueKind == JsonValueKind.Object)
            {
                problem = value.EnumerateObject().Select(p => Broken(root, p.Value)).FirstOrDefault(p => p is not null);
            }
            else if (SchemaLists.Contains(keyword.Name) && value.ValueKind == JsonValueKind.Array)
            {
                problem = value.EnumerateArray().Select(s => Broken(root, s)).FirstOrDefault(p => p is not null);
            }
            else if (SchemaValues.Contains(keyword.Name))
            {
                problem = Broken(root, value);
            }

            if (problem is not null)
            {
                return problem;
            }
        }

        return null;
    }
}
