using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Conformance;

/// <summary>Small, total helpers over <see cref="JsonNode"/>: they never throw on unexpected shapes, because endpoints send anything.</summary>
internal static class Json
{
    // Evidence is read by people: keep quotes and non-ASCII text as they are instead of \u escapes.
    private static readonly JsonSerializerOptions Readable = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Parses <paramref name="text"/>, or returns null when it is not JSON.</summary>
    public static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The JSON kind; a C# null is JSON null.</summary>
    public static JsonValueKind Kind(JsonNode? node) => node?.GetValueKind() ?? JsonValueKind.Null;

    /// <summary>The value when <paramref name="node"/> is a JSON number without a fraction, else null.</summary>
    public static long? Int(JsonNode? node)
    {
        if (Kind(node) != JsonValueKind.Number)
        {
            return null;
        }

        // Read from the JSON text, not TryGetValue: a node built in code holds a CLR int or double, which
        // TryGetValue<long> refuses, so a body the suite built would read as having no max_tokens at all.
        return long.TryParse(node!.ToJsonString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The value when <paramref name="node"/> is a JSON number, else null.</summary>
    public static double? Number(JsonNode? node) =>
        Kind(node) == JsonValueKind.Number && double.TryParse(node!.ToJsonString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    /// <summary>The value when <paramref name="node"/> is a JSON string, else null.</summary>
    public static string? Str(JsonNode? node) => Kind(node) == JsonValueKind.String ? node!.GetValue<string>() : null;

    /// <summary>True when the object has the key, whatever its value (null included).</summary>
    public static bool Has(JsonNode? node, string key) => node is JsonObject obj && obj.ContainsKey(key);

    /// <summary>A string as a JSON literal, for evidence ("null" for null).</summary>
    public static string Quote(string? text) => text is null ? "null" : JsonValue.Create(text).ToJsonString(Readable);

    /// <summary>Compact text of a node for evidence; "absent" for a missing key is the caller's business.</summary>
    public static string Show(JsonNode? node) => node?.ToJsonString(Readable) ?? "null";
}
