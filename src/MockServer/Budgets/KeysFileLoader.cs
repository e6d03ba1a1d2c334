using System.Globalization;
using System.Text.Json;
using MockServer.Fixtures;
using NJsonSchema;
using NJsonSchema.Validation;

namespace MockServer.Budgets;

/// <summary>
/// Reads a keys file (<c>--keys-file</c>), validated against <c>schemas/keys.schema.json</c> like fixture files are
/// against theirs: JSON with comments and trailing commas, and a bad file stops the start with the file, the JSON path
/// and the line. Messages quote names and numbers, never a key.
/// </summary>
internal static class KeysFileLoader
{
    private const string SchemaName = "schemas/keys.schema.json";

    /// <summary>The property names of schemas/keys.schema.json, the only ones a message may quote.</summary>
    private static readonly HashSet<string> KnownNames = new(StringComparer.Ordinal) { "$schema", "description", "keys", "key", "name", "token_budget", "rpm", "tpm" };

    public static async Task<IReadOnlyList<ApiKeyEntry>> LoadAsync(string path)
    {
        if (!File.Exists(path))
        {
            throw new KeysFileException($"Keys file '{path}' does not exist.");
        }

        string strict;
        try
        {
            strict = FixtureJsonText.ToStrictJson(new FixtureDocument(path, await File.ReadAllTextAsync(path).ConfigureAwait(false)));
        }
        catch (FixtureLoadException ex)
        {
            // The same reader as fixtures (comments, trailing commas, BOM; line and position of a syntax error), told as what it is.
            throw new KeysFileException(ex.Message.Replace($"Fixture '{path}'", $"Keys file '{path}'", StringComparison.Ordinal)
                .Replace("a fixture file holds", "a keys file holds", StringComparison.Ordinal), ex);
        }

        // Before the schema: a property given twice ({"key":"a","key":"b"}) would silently keep the last, and an
        // integer beyond a long would crash the validator. The message quotes a property name only if it is one the
        // schema knows, since anything else in a keys file may be a secret.
        if (JsonScan.FirstProblem(strict, refuseDuplicates: true) is { } problem)
        {
            var reason = problem.DuplicateName is { } name
                ? KnownNames.Contains(name) ? $"property '{name}' is given twice in one object; give it once" : "a property is given twice in one object; give it once"
                : problem.Reason;
            var place = problem.DuplicateName is { } dup && !KnownNames.Contains(dup) ? problem.Path[..problem.Path.LastIndexOf('.')] : problem.Path;
            throw new KeysFileException(string.Create(CultureInfo.InvariantCulture,
                $"Keys file '{path}' at {place}: {reason} (line {problem.Line}, position {problem.Position})."));
        }

        var schema = await JsonSchema.FromJsonAsync(FixtureLoader.EmbeddedText(SchemaName)).ConfigureAwait(false);
        ICollection<ValidationError> errors;
        try
        {
            errors = schema.Validate(strict);
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            throw new KeysFileException($"Keys file '{path}' is not valid JSON: {ex.Message}", ex);
        }

        if (Flatten(errors).FirstOrDefault() is { } first)
        {
            throw new KeysFileException(
                $"Keys file '{path}' does not match {SchemaName} at {Place(first)}: {Describe(first, strict)}"
                + (first.HasLineInfo ? string.Create(CultureInfo.InvariantCulture, $" (line {first.LineNumber}, position {first.LinePosition}).") : "."));
        }

        using var document = JsonDocument.Parse(strict);
        var entries = new List<ApiKeyEntry>();
        var keys = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        var i = 0;
        foreach (var element in document.RootElement.GetProperty("keys").EnumerateArray())
        {
            var key = element.GetProperty("key").GetString()!;
            if (!keys.TryAdd(key, i))
            {
                throw At(path, strict, $"$.keys[{i}].key", $"the same key as $.keys[{keys[key]}].key; give each key once");
            }

            string? name = null;
            if (element.TryGetProperty("name", out var n))
            {
                name = n.GetString()!;
                if (!names.TryAdd(name, i))
                {
                    throw At(path, strict, $"$.keys[{i}].name", $"the name '{name}' is already used by $.keys[{names[name]}]; names must be unique");
                }
            }

            entries.Add(new ApiKeyEntry(key)
            {
                Name = name,
                Limits = new KeyLimits(Integer(element, "token_budget"), Integer(element, "rpm"), Integer(element, "tpm")),
            });
            i++;
        }

        return entries;
    }

    // An entry's errors come nested under the array item that holds it; the inner one names the property to fix.
    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) =>
        errors.SelectMany(e => e is ChildSchemaValidationError child && child.Errors.Count > 0
            ? Flatten(child.Errors.SelectMany(c => c.Value))
            : [e]);

    // The schema bounds every limit within a long (at most 2^53 - 1).
    private static long? Integer(JsonElement entry, string name) => entry.TryGetProperty(name, out var v) ? v.GetInt64() : null;

    // A missing property is reported at the path it would have; the object that lacks it is where to add it.
    private static string Place(ValidationError error) =>
        error.Kind == ValidationErrorKind.PropertyRequired && error.Path is { } p && p.EndsWith("." + error.Property, StringComparison.Ordinal)
            ? JsonPath(p[..^(error.Property!.Length + 1)])
            : JsonPath(error.Path);

    /// <summary>NJsonSchema reports <c>#/keys[0].rpm</c>; people read <c>$.keys[0].rpm</c>.</summary>
    private static string JsonPath(string? path) =>
        string.IsNullOrEmpty(path) || path == "#" ? "$" : "$." + path.TrimStart('#', '/').Replace('/', '.');

    private static string Describe(ValidationError error, string strict) => error.Kind switch
    {
        ValidationErrorKind.PropertyRequired => $"required property '{error.Property}' is missing",
        ValidationErrorKind.NoAdditionalPropertiesAllowed => $"property '{error.Property}' is not allowed; an entry has key, name, token_budget, rpm and tpm",
        ValidationErrorKind.NumberTooSmall => $"{Number(strict, error.Path)} is too small; it must be at least {error.Schema.Minimum?.ToString(CultureInfo.InvariantCulture)}",
        ValidationErrorKind.NumberTooBig => $"{Number(strict, error.Path)} is too large; it must be at most {error.Schema.Maximum?.ToString(CultureInfo.InvariantCulture)}",
        ValidationErrorKind.StringTooShort => "the string is empty",
        // The value is not quoted: at $.keys[i].key it is a secret.
        ValidationErrorKind.PatternMismatch when error.Path?.EndsWith(".key", StringComparison.Ordinal) == true => "a key cannot hold white space",
        ValidationErrorKind.PatternMismatch => "a name holds letters, digits, '.', '_' and '-' (at most 64), starting with a letter or digit",
        ValidationErrorKind.IntegerExpected => "expected an integer",
        ValidationErrorKind.StringExpected => "expected a string",
        ValidationErrorKind.ArrayExpected => "expected an array of keys",
        ValidationErrorKind.ObjectExpected => "expected an object",
        _ => error.Kind.ToString(),
    };

    private static string Number(string strict, string? path) =>
        Newtonsoft.Json.Linq.JToken.Parse(strict).SelectToken(JsonPath(path)) is Newtonsoft.Json.Linq.JValue { Type: Newtonsoft.Json.Linq.JTokenType.Integer or Newtonsoft.Json.Linq.JTokenType.Float } v
            ? v.ToString(Newtonsoft.Json.Formatting.None)
            : "the value";

    private static KeysFileException At(string file, string strict, string path, string reason)
    {
        var place = Newtonsoft.Json.Linq.JToken.Parse(strict).SelectToken(path) is Newtonsoft.Json.IJsonLineInfo { } info && info.HasLineInfo()
            ? string.Create(CultureInfo.InvariantCulture, $" (line {info.LineNumber}, position {info.LinePosition})")
            : "";
        return new KeysFileException($"Keys file '{file}' at {path}: {reason}{place}.");
    }
}
