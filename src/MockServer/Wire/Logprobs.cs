namespace MockServer.Wire;

/// <summary>The legacy completions logprobs object (spec-facts §3.1), in the provider docs' key order.</summary>
internal sealed class Logprobs
{
    public required IReadOnlyList<int> TextOffset { get; init; }

    public required IReadOnlyList<string> Tokens { get; init; }

    public required IReadOnlyList<double?> TokenLogprobs { get; init; }

    /// <summary>Per position a map token text → logprob, in descending order; insertion order is the wire order.</summary>
    public required IReadOnlyList<Dictionary<string, double>?> TopLogprobs { get; init; }
}
