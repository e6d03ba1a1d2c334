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
[JsonSerializable(typeof(ContentLogprobs))] // llama.cpp's completions logprobs, swapped in by Shape
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
    /// The contracts, used only with a <see cref="Utf8JsonWriter"/> made with <see cref="WriterOptions"/> (see
    /// <see cref="ToUtf8Bytes{T}"/>): the writer carries the encoder, so these options carry none. That is what keeps
    /// the source-generated fast path on: System.Text.Json uses a context's generated serializer only when the options
    /// match the generated ones and name no encoder, and otherwise walks every chunk through its metadata converters,
    /// the largest cost of a streamed completion after the socket (bench/README.md, "Issue 11").
    /// </summary>
    public static WireJsonContext Context { get; } = new(new JsonSerializerOptions
    {
        // Options given to a context's constructor replace the attribute's, so the policy is restated here.
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    });

    /// <summary>
    /// For serializing straight into a buffer or pipe, which is how everything the server writes is written. vLLM
    /// (pydantic) writes non-ASCII as raw UTF-8 (spec-facts §8, "compare JSON semantically"); the default encoder would
    /// turn the docs' <c>"’s"</c> into <c>"\u2019s"</c>. The relaxed encoder still escapes quotes, backslashes and
    /// control characters, which is all JSON requires. A writer uses its own encoder, never the serializer options'.
    /// </summary>
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    /// <summary>A value's UTF-8 JSON written as the server writes every answer (<see cref="WriterOptions"/>).</summary>
    public static byte[] ToUtf8Bytes<T>(T value, JsonTypeInfo<T> contract)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            JsonSerializer.Serialize(writer, value, contract);
        }

        return buffer.WrittenSpan.ToArray();
    }

    // By reference: a dialect is one of Dialects.All, and a record's value hash would walk every field per response.
    private static readonly ConcurrentDictionary<Dialect, JsonSerializerOptions> Contracts = new(ReferenceEqualityComparer.Instance);

    /// <summary>The contract of a non-streamed completion in <paramref name="dialect"/>.</summary>
    public static JsonTypeInfo<CompletionResponse> CompletionResponse(Dialect dialect) =>
        PlainCompletions(dialect) ? Context.CompletionResponse : (JsonTypeInfo<CompletionResponse>)OptionsFor(dialect).GetTypeInfo(typeof(CompletionResponse));

    /// <summary>The contract of a completion chunk in <paramref name="dialect"/>.</summary>
    public static JsonTypeInfo<CompletionChunk> CompletionChunk(Dialect dialect) =>
        PlainCompletions(dialect) ? Context.CompletionChunk : (JsonTypeInfo<CompletionChunk>)OptionsFor(dialect).GetTypeInfo(typeof(CompletionChunk));

    /// <summary>Whether <paramref name="dialect"/> writes completions exactly as the classes say, so the generated fast path serves it.</summary>
    private static bool PlainCompletions(Dialect dialect) =>
        dialect.CompletionVllmKeys && dialect.CompletionLogprobs != CompletionLogprobsShape.ChatShaped;

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

        if (dialect.CompletionLogprobs == CompletionLogprobsShape.ChatShaped && (info.Type == typeof(CompletionChoice) || info.Type == typeof(ChunkChoice)))
        {
            // llama.cpp's chat-shaped logprobs take the "logprobs" key, in its place (spec-facts §3.1, §12.1).
            var index = info.Properties.IndexOf(info.Properties.First(p => p.Name == "logprobs"));
            var chatShaped = info.CreateJsonPropertyInfo(typeof(ContentLogprobs), "logprobs");
            chatShaped.Get = info.Type == typeof(ChunkChoice) ? static o => ((ChunkChoice)o).ChatShapedLogprobs : static o => ((CompletionChoice)o).ChatShapedLogprobs;
            info.Properties[index] = chatShaped;
        }

        if (info.Type == typeof(CompletionChunk) && !dialect.CompletionVllmKeys)
        {
            // usage only where there is one (llama.cpp's finish chunk), never "usage": null
            info.Properties.First(p => p.Name == "usage").ShouldSerialize = static (_, value) => value is not null;
        }
    }
}
