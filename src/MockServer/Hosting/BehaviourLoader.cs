using System.Text.Json;
using MockServer.Faults;
using MockServer.Fixtures;
using NJsonSchema;

namespace MockServer.Hosting;

/// <summary>What a behaviour file configures: the server-wide timing (or null) and the fault schedule.</summary>
internal sealed record Behaviour(StreamTiming? Timing, FaultSchedule Schedule)
{
    public static Behaviour None { get; } = new(null, FaultSchedule.None);
}

/// <summary>
/// Loads the behaviour file (<see cref="MockServerOptions.BehaviourFile"/> or <see cref="MockServerOptions.Behaviour"/>)
/// the way fixtures are loaded: JSON with comments, validated against <c>schemas/behaviour.schema.json</c>, then each
/// rule's fault parsed and each named model checked against the served ones. Any failure stops the start with a
/// <see cref="BehaviourLoadException"/> naming the file and JSON path.
/// </summary>
internal static class BehaviourLoader
{
    private const string What = "Behaviour file";
    private const string SchemaFile = "schemas/behaviour.schema.json";

    public static async Task<Behaviour> LoadAsync(MockServerOptions options, IReadOnlyCollection<string> servedModels)
    {
        var doc = options.Behaviour;
        if (options.BehaviourFile is { } path)
        {
            if (!File.Exists(path))
            {
                throw new BehaviourLoadException($"{What} '{path}' does not exist.");
            }

            doc = new BehaviourDocument(path, await File.ReadAllTextAsync(path).ConfigureAwait(false));
        }

        if (doc is null)
        {
            return Behaviour.None;
        }

        try
        {
            return await ReadAsync(doc, servedModels).ConfigureAwait(false);
        }
        catch (FixtureLoadException e)
        {
            // The fixture machinery (lenient JSON, schema errors placed by path and line) words its own errors "Fixture".
            throw new BehaviourLoadException(e.Message.StartsWith("Fixture '", StringComparison.Ordinal) ? What + e.Message["Fixture".Length..] : e.Message, e);
        }
    }

    private static async Task<Behaviour> ReadAsync(BehaviourDocument doc, IReadOnlyCollection<string> servedModels)
    {
        var text = FixtureJsonText.ToStrictJson(new FixtureDocument(doc.Name, doc.Json), What);
        var schema = await JsonSchema.FromJsonAsync(FixtureLoader.EmbeddedText(SchemaFile)).ConfigureAwait(false);
        FixtureLoader.Validate(schema, doc.Name, text, What, SchemaFile);
        using var json = JsonDocument.Parse(text);
        var root = json.RootElement;
        var timing = root.TryGetProperty("timing", out var t) ? FixtureLoader.ReadTiming(doc.Name, text, "$.timing", t, What) : null;
        if (!root.TryGetProperty("faults", out var faults))
        {
            return new Behaviour(timing, FaultSchedule.None);
        }

        var seedValue = (ulong)faults.GetProperty("seed").GetInt64(); // the schema bounds it to 0 .. 2^63 - 1

        var rules = new List<ScheduledFault>();
        var i = 0;
        foreach (var rule in faults.GetProperty("rules").EnumerateArray())
        {
            var path = $"$.faults.rules[{i}]";
            var plan = FixtureLoader.ReadFault(doc.Name, text, $"{path}.fault", rule.GetProperty("fault"), What);
            HashSet<string>? models = null;
            if (rule.TryGetProperty("models", out var m))
            {
                models = new HashSet<string>(StringComparer.Ordinal);
                var j = 0;
                foreach (var model in m.EnumerateArray())
                {
                    var id = model.GetString()!;
                    if (!servedModels.Contains(id))
                    {
                        throw FixtureLoader.At(doc.Name, text, $"{path}.models[{j}]",
                            $"'{id}' is not a served model, so the rule could never apply. Served: {string.Join(", ", servedModels)}", null, What);
                    }

                    models.Add(id);
                    j++;
                }
            }

            var paths = rule.TryGetProperty("paths", out var p) ? p.EnumerateArray().Select(e => e.GetString()!).ToHashSet(StringComparer.Ordinal) : null;
            rules.Add(new ScheduledFault(plan, rule.GetProperty("rate").GetDouble(), models, paths));
            i++;
        }

        return new Behaviour(timing, new FaultSchedule(seedValue, rules));
    }
}
