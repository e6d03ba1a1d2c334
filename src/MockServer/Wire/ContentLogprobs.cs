using System.Text.Json.Serialization;

namespace MockServer.Wire;

/// <summary>
/// llama.cpp's completions logprobs, in chat's shape (spec-facts §3.2, §12.1):
/// <c>{"content": [{id, token, bytes, logprob, top_logprobs: [{id, token, bytes, logprob}]}]}</c>.
/// </summary>
internal sealed class ContentLogprobs
{
    public required IReadOnlyList<ContentLogprob> Content { get; init; }
}

internal sealed class ContentLogprob
{
    public required int Id { get; init; }

    public required string Token { get; init; }

    public required int[] Bytes { get; init; }

    public required double Logprob { get; init; }

    /// <summary>The alternatives of a sampled token; absent on the alternatives themselves.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<ContentLogprob>? TopLogprobs { get; init; }
}
