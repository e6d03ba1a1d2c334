using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using MockServer.Errors;
using static MockServer.Validation.StrictJson;

namespace MockServer.Chat;

/// <summary>Reads <c>response_format</c>: <c>text</c>, <c>json_object</c>, or <c>json_schema</c> with the schema to follow.</summary>
internal static partial class ResponseFormatReader
{
    private static readonly FrozenSet<string> TypeOnlyKeys = new[] { "type" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> JsonSchemaFormatKeys = new[] { "type", "json_schema" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> JsonSchemaKeys = new[] { "name", "description", "schema", "strict" }.ToFrozenSet(StringComparer.Ordinal);

    public static (ResponseFormatKind Kind, JsonElement? Schema) Read(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return (ResponseFormatKind.Text, null);
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType("response_format", "an object", Describe(v)));
        }

        CheckNames(v, "response_format");
        var type = RequiredString(v, "type", "response_format");
        switch (type)
        {
            case "text":
                CheckObject(v, "response_format", TypeOnlyKeys);
                return (ResponseFormatKind.Text, null);
            case "json_object":
                CheckObject(v, "response_format", TypeOnlyKeys);
                return (ResponseFormatKind.JsonObject, null);
            case "json_schema":
                CheckObject(v, "response_format", JsonSchemaFormatKeys);
                return (ResponseFormatKind.JsonSchema, ReadJsonSchema(v));
            default:
                throw Fail(ApiError.InvalidValue("response_format.type",
                    $"Invalid value for 'response_format.type': '{Truncate(type)}'. Supported values are: 'text', 'json_object' and 'json_schema'."));
        }
    }

    private static JsonElement ReadJsonSchema(JsonElement format)
    {
        const string at = "response_format.json_schema";
        if (!format.TryGetProperty("json_schema", out var spec) || spec.ValueKind == JsonValueKind.Null)
        {
            throw Fail(ApiError.MissingParameter(at));
        }

        CheckObject(spec, at, JsonSchemaKeys);
        var name = RequiredString(spec, "name", at);
        if (!SchemaName().IsMatch(name))
        {
            throw Fail(ApiError.InvalidValue($"{at}.name",
                $"Invalid '{at}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{{1,64}}$', but got '{Truncate(name)}'."));
        }

        JsonElement? schema = null;
        foreach (var property in spec.EnumerateObject())
        {
            var param = $"{at}.{property.Name}";
            switch (property.Name)
            {
                case "name": break;
                case "description": ReadString(param, property.Value); break;
                case "strict": ReadBoolean(param, property.Value); break;
                case "schema" when property.Value.ValueKind != JsonValueKind.Null: schema = JsonSchemaBounds.Read(property.Value, param); break;
                case "schema": break;
                default: throw new InvalidOperationException($"json_schema key '{property.Name}' is accepted but not handled.");
            }
        }

        // OpenAI lets the schema out; without one there is nothing to validate the content against, so it is required here.
        return schema ?? throw Fail(ApiError.MissingParameter($"{at}.schema"));
    }

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();
}
