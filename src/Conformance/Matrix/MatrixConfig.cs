using System.Globalization;
using System.Text.Json;
using Conformance.Checks;
using Conformance.Http;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Conformance.Matrix;

/// <summary>
/// Reads a <c>matrix --config</c> file, validated against <c>schemas/matrix-targets.schema.json</c> and then against what
/// a run can use (a known profile, selectors that match checks, an absolute URL without credentials, unique names).
/// Every problem stops before any request with the file, the JSON path and the line; none is a stack trace. Header
/// values are never quoted: they may be secrets.
/// </summary>
internal static partial class MatrixConfig
{
    /// <summary>The largest config file read (1 MiB).</summary>
    public const int MaxBytes = 1024 * 1024;

    private const string SchemaName = "schemas/matrix-targets.schema.json";

    /// <summary>
    /// Comments and trailing commas are allowed, as in the mock's fixture and keys files; a property given twice is not,
    /// but that is told when the text is loaded for the schema (with the path and the line).
    /// </summary>
    private static readonly JsonDocumentOptions Reading = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        AllowDuplicateProperties = true,
    };

    public static async Task<IReadOnlyList<MatrixTarget>> LoadAsync(string path, CancellationToken ct)
    {
        var text = await ReadAsync(path, ct).ConfigureAwait(false);
        try
        {
            return await ParseAsync(path, text).ConfigureAwait(false);
        }
        catch (MatrixConfigException ex)
        {
            // A key pasted where a name belongs (profile, only) would be quoted back: the command redacts the message
            // with the values of the variables the file names, found even when the file is otherwise broken.
            throw new MatrixConfigException(ex.Message, ex) { KeyVariables = KeyVariableNames(text) };
        }
    }

    /// <summary>Every <c>apiKeyEnv</c> value in the raw text, best effort (the file may not parse).</summary>
    public static IReadOnlyList<string> KeyVariableNames(string text) =>
        [.. KeyVariable().Matches(text).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal)];

    private static async Task<IReadOnlyList<MatrixTarget>> ParseAsync(string path, string text)
    {
        try
        {
            using var syntax = JsonDocument.Parse(text, Reading);
        }
        catch (JsonException ex)
        {
            // System.Text.Json counts lines and positions from 0.
            var where = ex.LineNumber is { } line ? Position(line + 1, (ex.BytePositionInLine ?? 0) + 1) : ".";
            throw new MatrixConfigException($"matrix config '{path}' is not valid JSON at {ex.Path ?? "$"}: {FirstSentence(ex.Message)}{where}", ex);
        }

        // DateParseHandling.None: Newtonsoft's default turns a date-like string ("2023-06-01T10:00:00Z") into a DateTime,
        // and (string)token then formats it in the current culture; a header value must reach the target as written.
        // A property given twice is found here, not by System.Text.Json, whose error has neither the path nor the line.
        using var reader = new Newtonsoft.Json.JsonTextReader(new StringReader(text)) { DateParseHandling = Newtonsoft.Json.DateParseHandling.None };
        JToken token;
        try
        {
            token = JToken.ReadFrom(reader, new JsonLoadSettings { CommentHandling = CommentHandling.Ignore, LineInfoHandling = LineInfoHandling.Load, DuplicatePropertyNameHandling = DuplicatePropertyNameHandling.Error });
        }
        catch (Newtonsoft.Json.JsonReaderException ex)
        {
            // Newtonsoft's message ends with its own "Path '…', line N, position M."; ours says that the usual way.
            var reason = ex.Message.StartsWith("Property with the name", StringComparison.Ordinal) ? "the property is given twice" : FirstSentence(ex.Message.Split(" Path '", 2)[0]);
            throw new MatrixConfigException($"matrix config '{path}' is not valid JSON at {JsonPath(ex.Path)}: {reason}{Position(ex.LineNumber, ex.LinePosition)}", ex);
        }

        var schema = await LoadSchemaAsync().ConfigureAwait(false);
        if (Flatten(schema.Validate(token)).FirstOrDefault() is { } first)
        {
            throw new MatrixConfigException(
                $"matrix config '{path}' does not match {SchemaName} at {Place(first)}: {Describe(first)}"
                + (first.HasLineInfo ? Position(first.LineNumber, first.LinePosition) : "."));
        }

        var targets = new List<MatrixTarget>();
        var names = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var items = (JArray)token["targets"]!;
        for (var i = 0; i < items.Count; i++)
        {
            targets.Add(Target(path, (JObject)items[i], $"$.targets[{i}]", names, i));
        }

        return targets;
    }

    /// <summary>
    /// The file's text, at most <see cref="MaxBytes"/>: a config is a few lines, so a bigger file is a mistake (a log,
    /// a binary), reported as one, instead of read whole into memory.
    /// </summary>
    private static async Task<string> ReadAsync(string path, CancellationToken ct)
    {
        try
        {
            await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, useAsync: true);
            var buffer = new byte[MaxBytes + 1];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false)) > 0)
            {
                read += n;
            }

            if (read > MaxBytes)
            {
                throw new MatrixConfigException($"matrix config '{path}' is too large: more than {MaxBytes / 1024} KiB (a config lists at most 64 targets)");
            }

            using var text = new StreamReader(new MemoryStream(buffer, 0, read), detectEncodingFromByteOrderMarks: true);
            return await text.ReadToEndAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MatrixConfigException($"matrix config '{path}' cannot be read: {ex.Message}", ex);
        }
    }

    private static MatrixTarget Target(string path, JObject item, string at, Dictionary<string, int> names, int index)
    {
        MatrixConfigException Bad(string property, string reason) => At(path, item, at, property, reason);

        var name = (string)item["name"]!;
        if (!names.TryAdd(name, index))
        {
            throw Bad("name", $"the name '{name}' is already used by $.targets[{names[name]}]; names head columns and must be unique");
        }

        var url = (string)item["baseUrl"]!;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            // A malformed URL may still carry credentials: not echoed when it has an '@'.
            throw Bad("baseUrl", url.Contains('@', StringComparison.Ordinal) ? "not an absolute http(s) URL" : $"'{url}' is not an absolute http(s) URL");
        }

        if (uri.UserInfo.Length > 0)
        {
            throw Bad("baseUrl", "the URL must not contain credentials (user:password@); name the key's variable in apiKeyEnv");
        }

        Profiles.Profile profile;
        try
        {
            profile = ConformanceRunner.ResolveProfile((string?)item["profile"]);
        }
        catch (ArgumentException ex)
        {
            throw Bad("profile", Cli.CliApp.UserMessage(ex));
        }

        if (item["model"] is { } given && string.IsNullOrWhiteSpace((string?)given))
        {
            throw Bad("model", "the model is blank; give a model name, or leave 'model' out for the profile's default");
        }

        var model = (string?)item["model"] ?? profile.DefaultModel;
        if (string.IsNullOrWhiteSpace(model))
        {
            throw At(path, item, at, null, $"'model' is required for the {profile.Name} profile");
        }

        var target = new MatrixTarget(name, uri, model, profile.Name, (string?)item["apiKeyEnv"])
        {
            Only = Strings(item["only"]),
            Skip = Strings(item["skip"]),
            Headers = item["headers"] is JObject headers ? [.. headers.Properties().Select(p => new KeyValuePair<string, string>(p.Name, (string)p.Value!))] : [],
            ToolProbe = (bool?)item["toolProbe"] ?? false,
        };

        foreach (var (property, selectors) in (ReadOnlySpan<(string, IReadOnlyList<string>)>)[("only", target.Only), ("skip", target.Skip)])
        {
            for (var j = 0; j < selectors.Count; j++)
            {
                if (!Catalogue.All.Any(c => Catalogue.Matches(c, selectors[j])))
                {
                    throw At(path, item[property]![j]!, $"{at}.{property}[{j}]", null, $"'{selectors[j]}' matches no check id or category (see llm-conformance --list)");
                }
            }
        }

        try
        {
            ExtraHeaders.Validate(target.Headers, "headers", "name the key's environment variable in apiKeyEnv");
        }
        catch (ArgumentException ex)
        {
            throw Bad("headers", Cli.CliApp.UserMessage(ex));
        }

        return target;
    }

    private static string[] Strings(JToken? token) => token is JArray array ? [.. array.Select(t => (string)t!)] : [];

    private static async Task<JsonSchema> LoadSchemaAsync()
    {
        using var stream = typeof(MatrixConfig).Assembly.GetManifestResourceStream(SchemaName)
            ?? throw new InvalidOperationException($"{SchemaName} is not embedded in the build.");
        using var reader = new StreamReader(stream);
        return await JsonSchema.FromJsonAsync(await reader.ReadToEndAsync().ConfigureAwait(false)).ConfigureAwait(false);
    }

    /// <summary>A problem at <paramref name="at"/> (or its <paramref name="property"/>), with the line of the value it names.</summary>
    private static MatrixConfigException At(string path, JToken node, string at, string? property, string reason)
    {
        var located = property is not null && node[property] is { } child ? child : node;
        var place = property is not null && node[property] is not null ? $"{at}.{property}" : at;
        var line = located is Newtonsoft.Json.IJsonLineInfo info && info.HasLineInfo() ? Position(info.LineNumber, info.LinePosition) : ".";
        return new MatrixConfigException($"matrix config '{path}' at {place}: {reason}{line}");
    }

    private static string Position(long line, long position) =>
        string.Create(CultureInfo.InvariantCulture, $" (line {line}, position {position}).");

    private static string FirstSentence(string message)
    {
        // "... LineNumber: 3 | BytePositionInLine: 4." repeats what Position says.
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (cut > 0 ? message[..cut] : message).TrimEnd(' ', '.', '|');
    }

    // A target's errors come nested under the array item that holds it; the inner one names the property to fix.
    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) =>
        errors.SelectMany(e => e is ChildSchemaValidationError child && child.Errors.Count > 0
            ? Flatten(child.Errors.SelectMany(c => c.Value))
            : [e]);

    // A missing property is reported at the path it would have; the object that lacks it is where to add it.
    private static string Place(ValidationError error) =>
        error.Kind == ValidationErrorKind.PropertyRequired && error.Path is { } p && p.EndsWith("." + error.Property, StringComparison.Ordinal)
            ? JsonPath(p[..^(error.Property!.Length + 1)])
            : JsonPath(error.Path);

    /// <summary>NJsonSchema reports <c>#/targets[0].name</c>; people read <c>$.targets[0].name</c>.</summary>
    private static string JsonPath(string? path) =>
        path?.TrimStart('#', '/') is { Length: > 0 } inner ? "$." + inner.Replace('/', '.') : "$";

    private static string Describe(ValidationError error) => error.Kind switch
    {
        ValidationErrorKind.PropertyRequired => $"required property '{error.Property}' is missing",
        ValidationErrorKind.NoAdditionalPropertiesAllowed => $"property '{error.Property}' is not allowed; a target has name, baseUrl, model, profile, apiKeyEnv, only, skip, headers and toolProbe (a key goes in the environment, named by apiKeyEnv)",
        ValidationErrorKind.StringTooShort => "the string is empty",
        ValidationErrorKind.PatternMismatch when error.Path?.EndsWith(".apiKeyEnv", StringComparison.Ordinal) == true => "an environment variable name holds letters, digits and '_', not starting with a digit",
        ValidationErrorKind.PatternMismatch => "a name holds letters, digits, spaces and . _ ( ) / + -, at most 64, starting with a letter or digit",
        ValidationErrorKind.TooFewItems => "give at least one target",
        ValidationErrorKind.TooManyItems => "at most 64 targets",
        ValidationErrorKind.StringExpected => "expected a string",
        ValidationErrorKind.BooleanExpected => "expected true or false",
        ValidationErrorKind.ArrayExpected => "expected an array",
        ValidationErrorKind.ObjectExpected => "expected an object",
        _ => error.Kind.ToString(),
    };

    [System.Text.RegularExpressions.GeneratedRegex(@"""apiKeyEnv""\s*:\s*""([^""\\]{1,256})""")]
    private static partial System.Text.RegularExpressions.Regex KeyVariable();
}
