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
    public const string ChatCompletion = "chat-completion.schema.json";
    public const string ChatChunk = "chat-completion-chunk.schema.json";

    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Cache = new();

    public static void ShouldConformTo(this string json, string schema)
    {
        var errors = Get(schema).Validate(json);
        errors.Should().BeEmpty($"the JSON must follow schemas/{schema}: {json}");
    }

    /// <summary>
    /// A chat answer as the mock sent it: a <c>chat.completion</c>, every chunk of a stream, or an error envelope, each
    /// against its schema, so every chat body a test receives is also a schema test.
    /// </summary>
    public static void ShouldBeValidChatAnswer(int status, string contentType, string body)
    {
        if (status != 200)
        {
            body.ShouldConformTo(Error);
        }
        else if (contentType.StartsWith("text/event-stream", StringComparison.Ordinal))
        {
            foreach (var payload in SseTranscript.Parse(body).Payloads.Where(p => p != "[DONE]"))
            {
                payload.ShouldConformTo(ChatChunk);
            }
        }
        else
        {
            body.ShouldConformTo(ChatCompletion);
        }
    }

    public static JsonSchema Get(string name) =>
        Cache.GetOrAdd(name, n => new Lazy<JsonSchema>(() =>
            JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", n)).GetAwaiter().GetResult())).Value;
}
