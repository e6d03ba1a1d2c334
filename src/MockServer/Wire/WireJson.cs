using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace MockServer.Wire;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(CompletionChunk))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ErrorEnvelope))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelCard))]
internal sealed partial class WireJsonContext : JsonSerializerContext;

/// <summary>The one serializer configuration for everything the server writes.</summary>
internal static class WireJson
{
    /// <summary>
    /// vLLM (pydantic) writes non-ASCII as raw UTF-8 (spec-facts §8, "compare JSON semantically"); the default
    /// encoder would turn the docs' <c>"’s"</c> into <c>"\u2019s"</c>. The relaxed encoder still escapes
    /// quotes, backslashes and control characters, which is all JSON requires.
    /// </summary>
    public static WireJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        // Options given to a context's constructor replace the attribute's, so the policy is restated here.
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>
    /// For serializing straight into a buffer or pipe: a <see cref="Utf8JsonWriter"/> uses its own encoder, not the
    /// serializer options', so it must be given the same one.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
}
