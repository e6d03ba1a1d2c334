using System.Text.Json.Serialization;

namespace MockServer.Wire;

/// <summary><c>GET /v1/models</c> with vLLM's extra fields (spec-facts §7).</summary>
internal sealed class ModelList
{
    public string Object { get; } = "list";

    /// <summary><see cref="ModelCard"/>s, or <see cref="LlamaModelCard"/>s in llama.cpp's dialect (written as their runtime type).</summary>
    public required IReadOnlyList<object> Data { get; init; }
}

/// <summary>llama.cpp's card (spec-facts §7): <c>owned_by: "llamacpp"</c> and a <c>meta</c> object, none of vLLM's keys.</summary>
internal sealed class LlamaModelCard
{
    public required string Id { get; init; }

    public string Object { get; } = "model";

    public required long Created { get; init; }

    public string OwnedBy { get; } = "llamacpp";

    public required LlamaModelMeta Meta { get; init; }

    /// <summary>Only with <c>?metadata=true</c>, as on <see cref="ModelCard"/>.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ModelMetadata? Metadata { get; init; }
}

/// <summary>The part of llama.cpp's <c>meta</c> the mock can say truly (spec-facts §7).</summary>
internal sealed class LlamaModelMeta
{
    public required int NVocab { get; init; }

    public required int NCtxTrain { get; init; }
}

internal sealed class ModelCard
{
    public required string Id { get; init; }

    public string Object { get; } = "model";

    public required long Created { get; init; }

    public required string OwnedBy { get; init; }

    public required string Root { get; init; }

    public string? Parent { get; }

    public required int MaxModelLen { get; init; }

    public required IReadOnlyList<ModelPermission> Permission { get; init; }

    /// <summary>Only with <c>?metadata=true</c> (the chat provider's docs, spec-facts §13); absent, not null, otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ModelMetadata? Metadata { get; init; }
}

/// <summary>What a model can do, as <c>GET /v1/models?metadata=true</c> advertises it (README, "Models").</summary>
internal sealed class ModelMetadata
{
    /// <summary><c>completions</c> and/or <c>chat</c>: the endpoints that serve the model.</summary>
    public required IReadOnlyList<string> Endpoints { get; init; }

    public required ModelMetadataCapabilities Capabilities { get; init; }

    public required int ContextLength { get; init; }

    /// <summary>The chat wire rules it is served with (after <c>--profile</c>).</summary>
    public required string Dialect { get; init; }

    /// <summary>The template family its conversations are rendered with; null for a base model.</summary>
    public required string? ChatTemplate { get; init; }
}

internal sealed class ModelMetadataCapabilities
{
    public required bool Tools { get; init; }

    public required bool ResponseFormat { get; init; }

    public required bool Logprobs { get; init; }
}

internal sealed class ModelPermission
{
    public required string Id { get; init; }

    public string Object { get; } = "model_permission";

    public required long Created { get; init; }

    public bool AllowCreateEngine { get; }

    public bool AllowSampling { get; } = true;

    public bool AllowLogprobs { get; } = true;

    public bool AllowSearchIndices { get; }

    public bool AllowView { get; } = true;

    public bool AllowFineTuning { get; }

    public string Organization { get; } = "*";

    public string? Group { get; }

    public bool IsBlocking { get; }
}
