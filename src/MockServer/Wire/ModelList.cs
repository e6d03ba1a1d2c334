namespace MockServer.Wire;

/// <summary><c>GET /v1/models</c> with vLLM's extra fields (spec-facts §7).</summary>
internal sealed class ModelList
{
    public string Object { get; } = "list";

    public required IReadOnlyList<ModelCard> Data { get; init; }
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
