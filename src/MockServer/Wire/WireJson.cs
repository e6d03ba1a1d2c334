using System.Collections.Concurrent;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using MockServer.Dialects;

namespace MockServer.Wire;

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    GenerationMode = JsonSourceGenerationMode.Default)]
[JsonSerializable(typeof(CompletionResponse))]
[JsonSerializable(typeof(CompletionChunk))]
[JsonSerializable(typeof(Logprobs))] // logprobs are typed object: each shape is written as its runtime type
[JsonSerializable(typeof(ContentLogprobs))]
[JsonSerializable(typeof(LlamaTimings))]
[JsonSerializable(typeof(ChatCompletionResponse))]
[JsonSerializable(typeof(ModelList))]
[JsonSerializable(typeof(ModelCard))]
[JsonSerializable(typeof(LlamaModelCard))]
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

    // By reference: a dialect is one of Dialects.All, and a record's value hash would walk every field per response.
    private static readonly ConcurrentDictionary<Dialect, JsonSerializerOptions> Contracts = new(ReferenceEqualityComparer.Instance);

    /// <summary>The contract of a non-streamed completion in <paramref name="dialect"/>.</summary>
    public static JsonTypeInfo<CompletionResponse> CompletionResponse(Dialect dialect) =>
        dialect.CompletionVllmKeys ? Context.CompletionResponse : (JsonTypeInfo<CompletionResponse>)OptionsFor(dialect).GetTypeInfo(typeof(CompletionResponse));

    /// <summary>The contract of a completion chunk in <paramref name="dialect"/>.</summary>
    public static JsonTypeInfo<CompletionChunk> CompletionChunk(Dialect dialect) =>
        dialect.CompletionVllmKeys ? Context.CompletionChunk : (JsonTypeInfo<CompletionChunk>)OptionsFor(dialect).GetTypeInfo(typeof(CompletionChunk));

    /// <summary>The contract of a non-streamed chat completion in <paramref name="dialect"/>.</summary>
    public static JsonTypeInfo<ChatCompletionResponse> ChatCompletionResponse(Dialect dialect) =>
        (JsonTypeInfo<ChatCompletionResponse>)OptionsFor(dialect).GetTypeInfo(typeof(ChatCompletionResponse));

    /// <summary>
    /// The same classes with the keys <paramref name="dialect"/> does not send taken out of their contract (spec-facts
    /// §3.3, §5, §9 Q13, §12.1), so one set of wire classes serves every dialect, and a dialect that keeps every key gets
    /// the bytes the plain context writes.
    /// </summary>
    private static JsonSerializerOptions OptionsFor(Dialect dialect) => Contracts.GetOrAdd(dialect, static d => new JsonSerializerOptions(Context.Options)
    {
        TypeInfoResolver = new WireJsonContext().WithAddedModifier(info => Shape(info, d)),
    });

    private static void Shape(JsonTypeInfo info, Dialect dialect)
    {
        List<string> dropped = [];
        if (!dialect.CompletionVllmKeys)
        {
            dropped.AddRange(info.Type == typeof(CompletionChoice) || info.Type == typeof(ChunkChoice) ? ["stop_reason", "prompt_logprobs"]
                : info.Type == typeof(CompletionResponse) ? ["service_tier", "kv_transfer_params"]
                : []);
        }

        if (info.Type == typeof(ChatCompletionChoice) && !dialect.ChatStopReason)
        {
            dropped.Add("stop_reason");
        }

        if (info.Type == typeof(ChatLogprobs) && !dialect.ChatLogprobsRefusalKey)
        {
            dropped.Add("refusal");
        }

        for (var i = info.Properties.Count - 1; i >= 0; i--)
        {
            if (dropped.Contains(info.Properties[i].Name))
            {
                info.Properties.RemoveAt(i);
            }
        }

        if (info.Type == typeof(CompletionChunk) && !dialect.CompletionVllmKeys)
        {
            // usage only where there is one (llama.cpp's finish chunk), never "usage": null
            info.Properties.First(p => p.Name == "usage").ShouldSerialize = static (_, value) => value is not null;
        }
    }
}
