using System.Text.Json;
using MockServer.Fixtures;
using NJsonSchema;

namespace MockServer.Recording;

/// <summary>
/// Loads a replay directory as fixtures are loaded: every <c>*.json</c> file validated against
/// <c>schemas/recording.schema.json</c>, and a bad one stops the start with a <see cref="FixtureLoadException"/>
/// naming the file, the JSON path and the line.
/// </summary>
internal static class RecordingLoader
{
    private const string What = "Recording";
    private const string SchemaFile = "schemas/recording.schema.json";

    public static async Task<RecordingSet> LoadAsync(string directory)
    {
        if (!Directory.Exists(directory))
        {
            throw new FixtureLoadException($"Replay directory '{directory}' does not exist.");
        }

        var schema = await JsonSchema.FromJsonAsync(FixtureLoader.EmbeddedText(SchemaFile)).ConfigureAwait(false);
        var exchanges = new List<RecordedExchange>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.json").Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(path);
            var text = FixtureJsonText.ToStrictJson(new FixtureDocument(name, await File.ReadAllTextAsync(path).ConfigureAwait(false)), What);
            FixtureLoader.Validate(schema, name, text, What, SchemaFile);
            using var json = JsonDocument.Parse(text);
            exchanges.Add(RecordingFile.Read(name, json.RootElement, (at, reason) => FixtureLoader.At(name, text, at, reason, null, What)));
        }

        return new RecordingSet(exchanges);
    }
}

/// <summary>
/// The recordings by key. A request recorded more than once (the same body sent again) replays its recordings in
/// file order, one per request, then keeps answering with the last: a retry sequence replays as it happened.
/// </summary>
internal sealed class RecordingSet
{
    private readonly Dictionary<string, RecordedExchange[]> _byKey;
    private readonly Dictionary<string, int> _served = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public RecordingSet(IEnumerable<RecordedExchange> exchanges) =>
        _byKey = exchanges.GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToArray(), StringComparer.Ordinal);

    public int Count => _byKey.Values.Sum(v => v.Length);

    public RecordedExchange? Next(string key)
    {
        if (!_byKey.TryGetValue(key, out var recorded))
        {
            return null;
        }

        lock (_gate)
        {
            var n = _served.GetValueOrDefault(key);
            _served[key] = n + 1;
            return recorded[Math.Min(n, recorded.Length - 1)];
        }
    }

    /// <summary>Every key replays from its first recording again (<see cref="Hosting.MockLlmServer.Reset"/>).</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _served.Clear();
        }
    }
}
