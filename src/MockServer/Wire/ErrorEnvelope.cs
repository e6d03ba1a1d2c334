using System.Text.Json.Serialization;

namespace MockServer.Wire;

/// <summary>OpenAI's error envelope: all four keys always present, <c>code</c> a string or null (spec-facts §6.1, §11.2).</summary>
internal sealed class ErrorEnvelope
{
    public required ErrorBody Error { get; init; }
}

internal sealed class ErrorBody
{
    public required string Message { get; init; }

    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? Param { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.Never)]
    public required string? Code { get; init; }
}
