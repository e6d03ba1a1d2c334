using System.Collections.Concurrent;
using NJsonSchema;

namespace MockServer.Tests.TestUtils;

/// <summary>Validates JSON text against the repository's <c>schemas/</c> (copied beside the test assembly).</summary>
internal static class Schemas
{
    public const string Completion = "completion.schema.json";
    public const string Chunk = "completion-chunk.schema.json";
    public const string Error = "error.schema.json";
    public const string ModelList = "model-list.schema.json";
    public const string Model = "model.schema.json";
    public const string Fixture = "fixture.schema.json";

    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Cache = new();

    public static void ShouldConformTo(this string json, string schema)
    {
        var errors = Get(schema).Validate(json);
        errors.Should().BeEmpty($"the JSON must follow schemas/{schema}: {json}");
    }

    public static JsonSchema Get(string name) =>
        Cache.GetOrAdd(name, n => new Lazy<JsonSchema>(() =>
            JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", n)).GetAwaiter().GetResult())).Value;
}
