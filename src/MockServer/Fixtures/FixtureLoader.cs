using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using NJsonSchema;
using NJsonSchema.Validation;

namespace MockServer.Fixtures;

/// <summary>
/// Loads fixture documents from the embedded defaults, a directory and code, validates each against
/// <c>schemas/fixture.schema.json</c>, and fails start-up with a message naming the file and the JSON path.
/// </summary>
internal static class FixtureLoader
{
    private const string EmbeddedPrefix = "fixtures/";

    // Parsed on first use. The embedded defaults are held to the schema by the tests (EmbeddedFixturesTests), not at
    // every start, so a start with no fixtures of its own never loads NJsonSchema and Newtonsoft.Json: about a third
    // of the methods the JIT compiled before the first answer (bench/startup.sh; issue 10: answer within a second).
    // FromJsonAsync parses text already in memory, with no reference to resolve, so waiting on it blocks nothing.
    private static readonly Lazy<JsonSchema> FixtureSchema = new(() => JsonSchema.FromJsonAsync(EmbeddedText("schemas/fixture.schema.json")).GetAwaiter().GetResult());

    // NJsonSchema does not document its validator as thread-safe, and servers started in parallel (tests) share the schema.
    private static readonly Lock ValidatorGate = new();

    /// <summary>The fixture schema (<c>schemas/fixture.schema.json</c>), parsed once, on first use.</summary>
    internal static JsonSchema Schema => FixtureSchema.Value;

    public static async Task<FixtureSet> LoadAsync(bool includeDefaults, string? directory, IEnumerable<FixtureDocument> fromCode)
    {
        // Source rank: higher wins. A directory file named like a default replaces that default.
        var sources = new List<(int Rank, FixtureDocument Doc)>();
        var byName = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        void Add(int rank, FixtureDocument doc)
        {
            if (byName.TryGetValue(doc.Name, out var existing))
            {
                sources[existing] = (rank, doc);
                return;
            }

            byName[doc.Name] = sources.Count;
            sources.Add((rank, doc));
        }

        if (includeDefaults)
        {
            foreach (var doc in EmbeddedDefaults())
            {
                Add(0, doc);
            }
        }

        if (directory is not null)
        {
            if (!Directory.Exists(directory))
            {
                throw new FixtureLoadException($"Fixture directory '{directory}' does not exist.");
            }

            foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
            {
                Add(1, new FixtureDocument(Path.GetFileName(path), await File.ReadAllTextAsync(path).ConfigureAwait(false)));
            }
        }

        foreach (var doc in fromCode)
        {
            Add(2, doc);
        }

        var models = new Dictionary<string, ModelDefinition>(StringComparer.Ordinal);
        var completions = new List<(int Rank, int Order, CompletionFixture Fixture)>();
        var chats = new List<(int Rank, int Order, ChatFixture Fixture)>();
        var texts = new Dictionary<string, string>(StringComparer.Ordinal); // strict text by file, to place later errors
        foreach (var (rank, doc) in sources.OrderBy(s => s.Rank))
        {
            var read = Read(doc, validate: rank > 0); // rank 0: the embedded defaults, checked by the tests
            texts[doc.Name] = read.Text;
            foreach (var model in read.Models)
            {
                models[model.Id] = model; // later sources override the same id
            }

            var (completionBase, chatBase) = (completions.Count, chats.Count); // the order counts across documents
            completions.AddRange(read.Completions.Select((c, i) => (rank, completionBase + i, c)));
            chats.AddRange(read.Chats.Select((c, i) => (rank, chatBase + i, c)));
        }

        CheckModels(completions.Select(c => c.Fixture), chats.Select(c => c.Fixture), models, texts, "in any fixture file");
        return new FixtureSet([.. models.Values], InPrecedence(completions), InPrecedence(chats));
    }

    /// <summary>
    /// One document, validated against the schema and read (a file at start, or a run-time document): its strict text
    /// (to place later errors), its models and its fixtures in document order. Models named by fixtures are checked by
    /// <see cref="CheckModels"/> once every document is read.
    /// </summary>
    /// <exception cref="FixtureLoadException">The document is invalid; the message names it, the JSON path and, where known, the line.</exception>
    /// <param name="doc">The document.</param>
    /// <param name="allowModels">False for a run-time document, which may not declare models (<see cref="RuntimeFixtures"/> says why).</param>
    /// <param name="validate">False only for the embedded defaults, which the tests hold to the schema.</param>
    internal static DocumentContent Read(FixtureDocument doc, bool allowModels = true, bool validate = true)
    {
        var text = FixtureJsonText.ToStrictJson(doc);
        if (validate)
        {
            Validate(Schema, doc.Name, text);
        }

        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        if (!allowModels && root.TryGetProperty("models", out _))
        {
            throw At(doc.Name, text, "$.models",
                "a document added at run time cannot declare models (the served models are fixed at start and shared by every session); "
                + "declare them in a fixture file and add only completions and chat fixtures for them");
        }

        var models = root.TryGetProperty("models", out var modelArray) ? ReadModels(doc.Name, text, modelArray).ToList() : [];
        var completions = new List<CompletionFixture>();
        if (root.TryGetProperty("completions", out var completionArray))
        {
            var i = 0;
            foreach (var element in completionArray.EnumerateArray())
            {
                completions.Add(ReadCompletion(doc.Name, text, $"$.completions[{i}]", element));
                i++;
            }
        }

        var chats = new List<ChatFixture>();
        if (root.TryGetProperty("chat", out var chatArray))
        {
            var i = 0;
            foreach (var element in chatArray.EnumerateArray())
            {
                chats.Add(ChatFixtureReader.Read(doc.Name, text, $"$.chat[{i}]", element));
                i++;
            }
        }

        return new DocumentContent(text, models, completions, chats);
    }

    /// <summary>
    /// Every fixture that names a model names a served one (for chat, one with a template): else it could never match.
    /// <paramref name="whereDeclared"/> ends the message's "is not declared under models …" (where a model could be added).
    /// </summary>
    internal static void CheckModels(IEnumerable<CompletionFixture> completions, IEnumerable<ChatFixture> chats, IReadOnlyDictionary<string, ModelDefinition> models, IReadOnlyDictionary<string, string> texts, string whereDeclared)
    {
        foreach (var fixture in completions)
        {
            if (fixture.Model is not null && !models.ContainsKey(fixture.Model))
            {
                var (file, path) = ChatFixtureReader.Split(fixture.Location);
                throw At(file, texts[file], $"{path}.match.model",
                    $"'{fixture.Model}' is not declared under \"models\" {whereDeclared}. Served: {string.Join(", ", models.Keys)}");
            }
        }

        foreach (var fixture in chats)
        {
            ChatFixtureReader.CheckModel(fixture, models, texts, whereDeclared);
        }
    }

    /// <summary>
    /// Completion fixtures in match precedence: higher rank (a later source) first; within one, exact matches before
    /// prefixes (longest first) before regexes, then document order.
    /// </summary>
    internal static List<CompletionFixture> InPrecedence(IEnumerable<(int Rank, int Order, CompletionFixture Fixture)> completions) =>
        [.. completions
            .OrderByDescending(c => c.Rank)
            .ThenBy(c => (int)c.Fixture.Kind)
            .ThenByDescending(c => c.Fixture.Kind == PromptMatchKind.Prefix ? c.Fixture.Pattern.Length : 0)
            .ThenBy(c => c.Order)
            .Select(c => c.Fixture)];

    /// <summary>
    /// The same precedence for chat: higher rank first; exact, then prefix and contains (longest first), regex, then no
    /// user criterion; a fixture that also pins the system message or the turn before one that does not; document order.
    /// </summary>
    internal static List<ChatFixture> InPrecedence(IEnumerable<(int Rank, int Order, ChatFixture Fixture)> chats) =>
        [.. chats
            .OrderByDescending(c => c.Rank)
            .ThenBy(c => (int)c.Fixture.UserKind)
            .ThenByDescending(c => c.Fixture.UserKind is UserMatchKind.Prefix or UserMatchKind.Contains ? c.Fixture.UserPattern!.Length : 0)
            .ThenByDescending(c => c.Fixture.Constraints)
            .ThenBy(c => c.Order)
            .Select(c => c.Fixture)];

    internal static string EmbeddedText(string logicalName)
    {
        using var stream = typeof(FixtureLoader).Assembly.GetManifestResourceStream(logicalName)
            ?? throw new InvalidOperationException($"Embedded resource '{logicalName}' is missing from the build.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    internal static IEnumerable<FixtureDocument> EmbeddedDefaults()
    {
        var assembly = typeof(FixtureLoader).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(EmbeddedPrefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            yield return new FixtureDocument(name[EmbeddedPrefix.Length..], EmbeddedText(name));
        }
    }

    // strictJson has passed FixtureJsonText: comments and trailing commas are blanked, which the validator needs.
    /// <summary>
    /// Validates a document against a schema; a failure names the file, the JSON path, the line and position, calling the
    /// document <c>what</c> ("Fixture", "Behaviour file") and the schema by its repository path <c>schemaFile</c>.
    /// </summary>
    internal static void Validate(JsonSchema schema, string name, string strictJson, string what = "Fixture", string schemaFile = "schemas/fixture.schema.json")
    {
        if (JsonScan.FirstProblem(strictJson, refuseDuplicates: false) is { } problem)
        {
            throw new FixtureLoadException(string.Create(CultureInfo.InvariantCulture,
                $"{what} '{name}' at {problem.Path}: {problem.Reason} (line {problem.Line}, position {problem.Position})."));
        }

        ICollection<ValidationError> errors;
        try
        {
            lock (ValidatorGate) // one schema object serves every server in the process (FixtureSchema)
            {
                errors = schema.Validate(strictJson);
            }
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            // What System.Text.Json accepts but Newtonsoft does not, e.g. a number beyond double (1e400).
            throw new FixtureLoadException($"{what} '{name}' is not valid JSON: {ex.Message}", ex);
        }

        if (errors.Count > 0)
        {
            // For a oneOf (a token is a string or an object) every branch reports; the branch that names a property
            // is the one a person can act on, so plain type mismatches and shallow paths rank last.
            var first = Flatten(errors)
                .OrderBy(e => e.Kind.ToString().EndsWith("Expected", StringComparison.Ordinal) ? 1 : 0)
                .ThenByDescending(e => (e.Path ?? "").Length)
                .First();
            throw new FixtureLoadException(
                $"{what} '{name}' does not match {schemaFile} at {JsonPath(first.Path)}: {Describe(first, strictJson)}"
                + (first.HasLineInfo ? $" (line {first.LineNumber}, position {first.LinePosition})." : "."));
        }
    }

    // oneOf/anyOf failures nest the useful error one level down, except when the oneOf itself is the problem:
    // two branches matched, or every branch only lacks its one required property (e.g. a match with no prompt).
    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                if (child.Kind == ValidationErrorKind.NotOneOf && (Ambiguous(child) || OnlyMissingAlternatives(child) is not null))
                {
                    yield return error;
                    continue;
                }

                foreach (var inner in Flatten(child.Errors.SelectMany(e => e.Value)))
                {
                    yield return inner;
                }

                continue;
            }

            yield return error;
        }
    }

    private static bool Ambiguous(ChildSchemaValidationError error) => error.Errors.Count(e => e.Value.Count == 0) >= 2;

    private static string? OnlyMissingAlternatives(ChildSchemaValidationError error)
    {
        var branches = error.Errors.Values.ToList();
        return branches.All(b => b.Count == 1 && b.First().Kind == ValidationErrorKind.PropertyRequired)
            ? string.Join(", ", branches.Select(b => b.First().Property))
            : null;
    }

    /// <summary>The value at a validator path, as the author wrote it (strings in single quotes, like the other messages).</summary>
    private static string ValueAt(string strictJson, string? path)
    {
        var token = Newtonsoft.Json.Linq.JToken.Parse(strictJson).SelectToken(JsonPath(path));
        return token is Newtonsoft.Json.Linq.JValue { Type: Newtonsoft.Json.Linq.JTokenType.String } s ? $"'{s}'"
            : token?.ToString(Newtonsoft.Json.Formatting.None) ?? "the value";
    }

    private static string Describe(ValidationError error, string strictJson) => error switch
    {
        ChildSchemaValidationError c when OnlyMissingAlternatives(c) is { } names && !Ambiguous(c) => $"exactly one of {names} is required, none was given",
        ChildSchemaValidationError { Kind: ValidationErrorKind.NotOneOf } c => $"it matches more than one alternative; give exactly one of {string.Join(", ", c.Errors.Keys.SelectMany(k => k.RequiredProperties))}",
        { Kind: ValidationErrorKind.PropertyRequired } => $"required property '{error.Property}' is missing",
        { Kind: ValidationErrorKind.NoAdditionalPropertiesAllowed } => $"property '{error.Property}' is not allowed",
        { Kind: ValidationErrorKind.NumberTooSmall } => $"{ValueAt(strictJson, error.Path)} is too small; it must be "
            + (error.Schema.ExclusiveMinimum is { } above ? $"more than {above.ToString(CultureInfo.InvariantCulture)}" : $"at least {error.Schema.Minimum?.ToString(CultureInfo.InvariantCulture)}"),
        { Kind: ValidationErrorKind.NumberTooBig } => $"{ValueAt(strictJson, error.Path)} is too large; it must be "
            + (error.Schema.ExclusiveMaximum is { } below ? $"less than {below.ToString(CultureInfo.InvariantCulture)}" : $"at most {error.Schema.Maximum?.ToString(CultureInfo.InvariantCulture)}"),
        { Kind: ValidationErrorKind.NotInEnumeration } => $"{ValueAt(strictJson, error.Path)} is not one of {string.Join(", ", error.Schema.Enumeration)}",
        _ when Expected(error.Kind) is { } wanted => string.IsNullOrEmpty(error.Path?.TrimStart('#', '/'))
            ? $"the file must hold one JSON {wanted[(wanted.IndexOf(' ', StringComparison.Ordinal) + 1)..]}, not {Short(ValueAt(strictJson, error.Path))}"
            : $"it must be {wanted}, not {Short(ValueAt(strictJson, error.Path))}",
        _ => $"{error.Kind}" + (error.Property is null ? "" : $" ('{error.Property}')"),
    };

    /// <summary>The JSON type a <c>…Expected</c> error asks for, in words, or null for other errors.</summary>
    private static string? Expected(ValidationErrorKind kind) => kind switch
    {
        ValidationErrorKind.ObjectExpected => "an object",
        ValidationErrorKind.ArrayExpected => "an array",
        ValidationErrorKind.StringExpected => "a string",
        ValidationErrorKind.IntegerExpected => "an integer",
        ValidationErrorKind.NumberExpected => "a number",
        ValidationErrorKind.BooleanExpected => "true or false",
        ValidationErrorKind.NullExpected => "null",
        _ => null,
    };

    /// <summary>A quoted value, cut short: a wrong root may be a whole file.</summary>
    private static string Short(string value) => value.Length <= 40 ? value : value[..37] + "...";

    /// <summary>NJsonSchema reports <c>#/completions[0].match</c>; people read <c>$.completions[0].match</c>.</summary>
    private static string JsonPath(string? path) =>
        path?.TrimStart('#', '/') is not { Length: > 0 } inner ? "$" : "$." + inner.Replace('/', '.');

    private static IEnumerable<ModelDefinition> ReadModels(string file, string text, JsonElement array)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var m in array.EnumerateArray())
        {
            var id = m.GetProperty("id").GetString()!;
            if (!seen.Add(id))
            {
                throw new FixtureLoadException($"Fixture '{file}' declares model '{id}' twice, at $.models[{i}].id.");
            }

            // The schema's enums pin chat_template and dialect to the names the code knows (a test keeps them equal).
            var template = m.TryGetProperty("chat_template", out var t) ? t.GetString() : null;
            yield return new ModelDefinition(
                id,
                m.GetProperty("root").GetString()!,
                m.TryGetProperty("max_model_len", out var len) ? (int)Integer(file, len, $"$.models[{i}].max_model_len", int.MaxValue) : 131072,
                m.TryGetProperty("created", out var created) ? Integer(file, created, $"$.models[{i}].created", long.MaxValue) : null,
                m.TryGetProperty("owned_by", out var owner) ? owner.GetString()! : "vllm")
            {
                ChatTemplate = template,
                Dialect = m.TryGetProperty("dialect", out var d) ? d.GetString()! : Dialects.Dialects.Acs.Name,
                Capabilities = ReadCapabilities(file, text, $"$.models[{i}]", m, template is not null),
                Cold = m.TryGetProperty("cold", out var cold) ? ReadCold(cold) : null,
                Timing = m.TryGetProperty("timing", out var timing) ? ReadTiming(file, text, $"$.models[{i}].timing", timing) : null,
            };
            i++;
        }
    }

    // The schema bounds both numbers (more than 0, at most a day and a year), so the TimeSpans cannot overflow.
    private static Catalog.ColdStart ReadCold(JsonElement cold) => new(
        TimeSpan.FromSeconds(cold.GetProperty("boot_seconds").GetDouble()),
        cold.TryGetProperty("idle_seconds", out var idle) ? TimeSpan.FromSeconds(idle.GetDouble()) : null);

    /// <summary>
    /// Defaults: completions and logprobs on; chat exactly when there is a template; tools and response_format with chat.
    /// A declaration that contradicts the template (chat without one, tools without chat) is refused, not ignored.
    /// </summary>
    private static Catalog.ModelCapabilities ReadCapabilities(string file, string text, string path, JsonElement model, bool hasTemplate)
    {
        var declared = model.TryGetProperty("capabilities", out var c) ? c : default;
        bool Flag(string name, bool fallback) =>
            declared.ValueKind == JsonValueKind.Object && declared.TryGetProperty(name, out var v) ? v.GetBoolean() : fallback;

        var chat = Flag("chat", hasTemplate);
        if (chat != hasTemplate)
        {
            throw At(file, text, $"{path}.capabilities.chat", hasTemplate
                ? "chat is false but the model has a chat_template; a model with a template serves chat (remove the template to make it a base model)"
                : "chat is true but the model has no chat_template to render a conversation with; add one (" + string.Join(", ", Chat.ChatTemplates.Known) + ")");
        }

        var capabilities = new Catalog.ModelCapabilities(
            Completions: Flag("completions", true),
            Chat: chat,
            Tools: Flag("tools", chat),
            ResponseFormat: Flag("response_format", chat),
            Logprobs: Flag("logprobs", true));
        foreach (var (name, on) in new[] { ("tools", capabilities.Tools), ("response_format", capabilities.ResponseFormat) })
        {
            if (on && !chat)
            {
                throw At(file, text, $"{path}.capabilities.{name}", $"{name} is a chat feature, and the model has no chat_template");
            }
        }

        return capabilities;
    }

    /// <summary>A load error at a JSON path, with the line and position the schema validator would give.</summary>
    internal static FixtureLoadException At(string file, string strictJson, string path, string reason, Exception? inner = null, string what = "Fixture")
    {
        var message = $"{what} '{file}' at {path}: {reason}{Place(strictJson, path)}.";
        return inner is null ? new FixtureLoadException(message) : new FixtureLoadException(message, inner);
    }

    /// <summary>" (line L, position P)" of the value at <paramref name="path"/>, or empty when it cannot be placed.</summary>
    internal static string Place(string strictJson, string path)
    {
        try
        {
            var root = Newtonsoft.Json.Linq.JToken.Parse(strictJson);
            if (root.SelectToken(path) is Newtonsoft.Json.IJsonLineInfo { } info && info.HasLineInfo())
            {
                return string.Create(CultureInfo.InvariantCulture, $" (line {info.LineNumber}, position {info.LinePosition})");
            }
        }
        catch (Newtonsoft.Json.JsonException)
        {
            // The schema validator parsed this text already; without a place the message still names the path.
        }

        return "";
    }

    // The schema says "integer" without a bound; a value the server cannot hold names its place rather than crashing.
    private static long Integer(string file, JsonElement value, string path, long max) =>
        value.TryGetInt64(out var v) && v <= max
            ? v
            : throw new FixtureLoadException(string.Create(CultureInfo.InvariantCulture, $"Fixture '{file}' at {path}: {value.GetRawText()} is larger than {max}."));

    /// <summary>A <c>timing</c> block (its shape checked by the schema), or a load error naming its place.</summary>
    internal static Hosting.StreamTiming ReadTiming(string file, string text, string path, JsonElement timing, string what = "Fixture")
    {
        try
        {
            return Timing.TimingFields.Build(timing);
        }
        catch (FormatException e)
        {
            throw At(file, text, path, e.Message.TrimEnd('.'), e, what);
        }
    }

    /// <summary>A <c>fault</c> string in the <c>X-Mock-Fault</c> syntax, parsed now so a typo stops the start, not a test run.</summary>
    internal static Faults.FaultPlan ReadFault(string file, string text, string path, JsonElement fault, string what = "Fixture")
    {
        var value = fault.GetString()!;
        try
        {
            return Faults.FaultPlan.Read(value);
        }
        catch (FormatException e)
        {
            throw At(file, text, path, $"'{value}' is not a fault: {e.Message.TrimEnd('.')}", e, what);
        }
    }

    private static CompletionFixture ReadCompletion(string file, string text, string path, JsonElement element)
    {
        var match = element.GetProperty("match");
        var model = match.TryGetProperty("model", out var m) ? m.GetString() : null;
        var (kind, pattern) = match.TryGetProperty("prompt", out var exact) ? (PromptMatchKind.Exact, exact.GetString()!)
            : match.TryGetProperty("prompt_prefix", out var prefix) ? (PromptMatchKind.Prefix, prefix.GetString()!)
            : (PromptMatchKind.Regex, match.GetProperty("prompt_regex").GetString()!);
        var regex = kind == PromptMatchKind.Regex ? LinearRegex(file, text, $"{path}.match.prompt_regex", pattern) : null;

        var tokens = new List<FixtureToken>();
        var t = 0;
        foreach (var token in element.GetProperty("tokens").EnumerateArray())
        {
            tokens.Add(ReadToken(file, text, $"{path}.tokens[{t}]", token));
            t++;
        }

        var name = element.TryGetProperty("name", out var n) ? n.GetString()! : $"{file}{path[1..]}";
        var continueSynthetic = element.TryGetProperty("then", out var then) && then.GetString() == "synthetic";
        return new CompletionFixture(name, $"{file} {path}", model, kind, pattern, regex, tokens, continueSynthetic)
        {
            Timing = element.TryGetProperty("timing", out var timing) ? ReadTiming(file, text, $"{path}.timing", timing) : null,
            Fault = element.TryGetProperty("fault", out var fault) ? ReadFault(file, text, $"{path}.fault", fault) : null,
        };
    }

    /// <summary>A fixture's regular expression on the linear-time engine, or a load error naming its place.</summary>
    internal static Regex LinearRegex(string file, string strictJson, string path, string pattern)
    {
        try
        {
            // Linear-time engine: no prompt can make matching slow, and no timeout makes it machine-dependent.
            return new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw new FixtureLoadException(
                $"Fixture '{file}' has an unusable regular expression at {path}{Place(strictJson, path)}: {ex.Message} (.NET syntax, without backreferences or lookarounds)", ex);
        }
    }

    internal static FixtureToken ReadToken(string file, string strictJson, string path, JsonElement token)
    {
        if (token.ValueKind == JsonValueKind.String)
        {
            return new FixtureToken(token.GetString()!, null, null);
        }

        var text = token.GetProperty("text").GetString()!;
        double? logprob = token.TryGetProperty("logprob", out var lp) ? FiniteLogprob(file, strictJson, $"{path}.logprob", lp) : null;
        List<KeyValuePair<string, double>>? top = null;
        if (token.TryGetProperty("top_logprobs", out var tops))
        {
            top = [.. tops.EnumerateObject()
                .Select(p => KeyValuePair.Create(p.Name, FiniteLogprob(file, strictJson, $"{path}.top_logprobs['{p.Name}']", p.Value)))
                .OrderByDescending(p => p.Value)];
            var inTop = top.FirstOrDefault(p => p.Key == text);
            if (logprob is null && inTop.Key is not null)
            {
                logprob = inTop.Value;
            }
            else if (logprob is not null && inTop.Key is not null && inTop.Value != logprob)
            {
                throw new FixtureLoadException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Fixture '{file}' contradicts itself at {path}{Place(strictJson, path)}: logprob {logprob} but top_logprobs gives '{text}' {inTop.Value}."));
            }
        }

        // Pinned alternatives are probabilities of one distribution; more than 1 in total is an authoring mistake.
        if (top is not null)
        {
            var mass = top.Sum(p => Math.Exp(p.Value)) + (logprob is { } own && top.All(p => p.Key != text) ? Math.Exp(own) : 0);
            if (mass > 1 + 1e-9)
            {
                throw new FixtureLoadException(string.Create(
                    CultureInfo.InvariantCulture,
                    $"Fixture '{file}' at {path}.top_logprobs{Place(strictJson, path + ".top_logprobs")}: the probabilities add up to {mass:0.###}, more than 1; logprobs are natural logs, e.g. -0.69 for 50%."));
            }
        }

        return new FixtureToken(text, logprob, top);
    }

    /// <summary>
    /// A pinned logprob, which must be a finite double: the schema's <c>maximum: 0</c> lets <c>-1e400</c> through, and an
    /// infinite logprob cannot be written as JSON, so every later request asking for logprobs would fail with a 500.
    /// </summary>
    private static double FiniteLogprob(string file, string strictJson, string path, JsonElement value)
    {
        // System.Text.Json reads -1e400 as -Infinity (TryGetDouble succeeds), so finiteness is checked here.
        if (value.TryGetDouble(out var logprob) && double.IsFinite(logprob))
        {
            return logprob;
        }

        throw At(file, strictJson, path, $"{value.GetRawText()} is not a finite number (it overflows a double); a logprob is a finite natural log ≤ 0, e.g. -0.69 for 50%");
    }
}

/// <summary>One fixture document, validated and read: its strict text (to place later errors), models and fixtures in document order.</summary>
internal sealed record DocumentContent(string Text, IReadOnlyList<ModelDefinition> Models, IReadOnlyList<CompletionFixture> Completions, IReadOnlyList<ChatFixture> Chats);
