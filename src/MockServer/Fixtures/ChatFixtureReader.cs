using System.Globalization;
using System.Text;
using System.Text.Json;

namespace MockServer.Fixtures;

/// <summary>Reads the <c>chat</c> entries of a fixture file (already valid against the schema) into <see cref="ChatFixture"/>s.</summary>
internal static class ChatFixtureReader
{
    public static ChatFixture Read(string file, string text, string path, JsonElement element)
    {
        var match = element.GetProperty("match");
        string? Text(string name) => match.TryGetProperty(name, out var v) ? v.GetString() : null;

        // The schema allows at most one user criterion.
        var (kind, pattern) = Text("user") is { } exact ? (UserMatchKind.Exact, exact)
            : Text("user_prefix") is { } prefix ? (UserMatchKind.Prefix, prefix)
            : Text("user_contains") is { } contains ? (UserMatchKind.Contains, contains)
            : Text("user_regex") is { } regex ? (UserMatchKind.Regex, regex)
            : (UserMatchKind.Any, (string?)null);

        var tokens = new List<FixtureToken>();
        if (element.TryGetProperty("tokens", out var tokenArray))
        {
            var t = 0;
            foreach (var token in tokenArray.EnumerateArray())
            {
                tokens.Add(FixtureLoader.ReadToken(file, text, $"{path}.tokens[{t}]", token));
                t++;
            }
        }

        var calls = new List<ScriptedToolCall>();
        if (element.TryGetProperty("tool_calls", out var callArray))
        {
            var c = 0;
            foreach (var call in callArray.EnumerateArray())
            {
                calls.Add(new ScriptedToolCall(call.GetProperty("name").GetString()!, Arguments(file, text, $"{path}.tool_calls[{c}].arguments", call.GetProperty("arguments"))));
                c++;
            }
        }

        var then = element.TryGetProperty("then", out var after) ? after.GetString() : null;
        if (then is not null && calls.Count > 0)
        {
            throw FixtureLoader.At(file, text, $"{path}.then", "'then' applies to scripted tokens; a turn of tool_calls ends with finish_reason 'tool_calls'");
        }

        var name = element.TryGetProperty("name", out var n) ? n.GetString()! : $"{file}{path[1..]}";
        return new ChatFixture(name, $"{file} {path}", Text("model"), tokens, calls, then == "synthetic")
        {
            UserKind = kind,
            UserPattern = pattern,
            UserRegex = kind == UserMatchKind.Regex ? FixtureLoader.LinearRegex(file, text, $"{path}.match.user_regex", pattern!) : null,
            System = Text("system"),
            Turn = match.TryGetProperty("turn", out var turn) ? Turn(file, text, $"{path}.match.turn", turn) : null,
            Timing = element.TryGetProperty("timing", out var timing) ? FixtureLoader.ReadTiming(file, text, $"{path}.timing", timing) : null,
            Fault = element.TryGetProperty("fault", out var fault) ? FixtureLoader.ReadFault(file, text, $"{path}.fault", fault) : null,
        };
    }

    // The schema says integer >= 1 without a bound; a value the server cannot hold names its place rather than crashing.
    private static int Turn(string file, string text, string path, JsonElement turn) =>
        turn.TryGetInt32(out var value)
            ? value
            : throw FixtureLoader.At(file, text, path, string.Create(CultureInfo.InvariantCulture, $"{turn.GetRawText()} is larger than {int.MaxValue}"));

    /// <summary>A chat fixture names a served model that can chat, or it could never answer.</summary>
    public static void CheckModel(ChatFixture fixture, IReadOnlyDictionary<string, ModelDefinition> models, IReadOnlyDictionary<string, string> texts, string whereDeclared = "in any fixture file")
    {
        if (fixture.Model is null)
        {
            return;
        }

        var (file, path) = Split(fixture.Location);
        if (!models.TryGetValue(fixture.Model, out var model))
        {
            throw FixtureLoader.At(file, texts[file], $"{path}.match.model",
                $"'{fixture.Model}' is not declared under \"models\" {whereDeclared}. Served: {string.Join(", ", models.Keys)}");
        }

        if (model.ChatTemplate is null)
        {
            throw FixtureLoader.At(file, texts[file], $"{path}.match.model",
                $"'{fixture.Model}' has no chat_template, so it answers chat with 400 and this fixture could never match");
        }
    }

    internal static (string File, string Path) Split(string location)
    {
        var at = location.LastIndexOf(" $", StringComparison.Ordinal);
        return (location[..at], location[(at + 1)..]);
    }

    /// <summary>
    /// Arguments as the JSON text the model writes: an object is written compactly, as providers send it; a string is
    /// kept as written but must hold a JSON object, since clients parse it (a typo would fail far from its cause).
    /// </summary>
    private static string Arguments(string file, string text, string path, JsonElement arguments)
    {
        if (arguments.ValueKind == JsonValueKind.Object)
        {
            using var buffer = new MemoryStream();
            using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                arguments.WriteTo(w);
            }

            return Encoding.UTF8.GetString(buffer.ToArray());
        }

        var written = arguments.GetString()!;
        try
        {
            using var parsed = JsonDocument.Parse(written);
            if (parsed.RootElement.ValueKind == JsonValueKind.Object)
            {
                return written;
            }
        }
        catch (JsonException ex)
        {
            throw FixtureLoader.At(file, text, path, $"the string is not JSON ({ex.Message}); give the arguments as an object, or a string holding one", ex);
        }

        throw FixtureLoader.At(file, text, path, "the arguments must be a JSON object (or a string holding one)");
    }
}
