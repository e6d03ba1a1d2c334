using System.Text.Json;
using MockServer.Errors;
using static MockServer.Validation.StrictJson;

namespace MockServer.Chat;

/// <summary>
/// A JSON Schema taken from a request (tool parameters, <c>response_format.json_schema.schema</c>): an object, bounded
/// so the code that later walks it (argument and structured-output generation) cannot be sent into a deep or huge
/// tree, and cloned out of the request document, which is disposed when parsing ends.
/// </summary>
internal static class JsonSchemaBounds
{
    /// <summary>Nesting of objects and arrays inside one schema. OpenAI's structured outputs allow 10 levels of object nesting; this leaves room for the keywords between them.</summary>
    public const int MaxDepth = 32;

    /// <summary>Values (objects, arrays, scalars) inside one schema. OpenAI allows 5,000 properties in a structured-output schema.</summary>
    public const int MaxNodes = 20_000;

    public static JsonElement Read(JsonElement v, string param)
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType(param, "an object (a JSON Schema)", Describe(v)));
        }

        var nodes = 0;
        Walk(v, 1, ref nodes, param);

        // A reference that cannot be followed makes the schema meaningless: said now, naming the parameter.
        if (Generation.JsonSchemaRefs.Broken(v) is { } problem)
        {
            throw Fail(ApiError.InvalidValue(param, $"Invalid schema in '{param}': {problem}."));
        }

        return v.Clone();
    }

    private static void Walk(JsonElement v, int depth, ref int nodes, string param)
    {
        if (++nodes > MaxNodes)
        {
            throw Fail(ApiError.InvalidValue(param, $"'{param}' is too large: a schema may hold at most {MaxNodes} values."));
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            TextOf(v, param); // nor in a value (an enum, a const, a description): templates and generation read them all
            return;
        }

        // A number no double holds (1e400) cannot be a bound or a value the mock writes or compares.
        if (v.ValueKind == JsonValueKind.Number && !(v.TryGetDouble(out var number) && double.IsFinite(number)))
        {
            throw Fail(ApiError.InvalidValue(param, $"Invalid schema in '{param}': the number {Truncate(v.GetRawText())} is out of range (numbers in a schema must be finite doubles)."));
        }

        if (v.ValueKind is not (JsonValueKind.Object or JsonValueKind.Array))
        {
            return;
        }

        if (depth > MaxDepth)
        {
            throw Fail(ApiError.InvalidValue(param, $"'{param}' is nested too deeply: a schema may be at most {MaxDepth} levels deep."));
        }

        if (v.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in v.EnumerateObject())
            {
                NameOf(property, param); // a lone surrogate in a key would throw later, far from the request
                Walk(property.Value, depth + 1, ref nodes, param);
            }
        }
        else
        {
            foreach (var item in v.EnumerateArray())
            {
                Walk(item, depth + 1, ref nodes, param);
            }
        }
    }
}
