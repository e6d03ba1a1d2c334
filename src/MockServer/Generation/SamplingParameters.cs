namespace MockServer.Generation;

/// <summary>The sampling controls of a request, already validated.</summary>
internal sealed record SamplingParameters
{
    public double Temperature { get; init; } = 1.0;

    public double TopP { get; init; } = 1.0;

    /// <summary>0 or -1 disables (vLLM, spec-facts §1.2).</summary>
    public int TopK { get; init; }

    public double MinP { get; init; }

    public double PresencePenalty { get; init; }

    public double FrequencyPenalty { get; init; }

    public double RepetitionPenalty { get; init; } = 1.0;

    /// <summary>No bias: one shared empty map (nothing writes to it), not a dictionary per request.</summary>
    public static IReadOnlyDictionary<int, double> NoLogitBias { get; } = System.Collections.Frozen.FrozenDictionary<int, double>.Empty;

    /// <summary>Bias by vocabulary id (end-of-text uses its special id).</summary>
    public IReadOnlyDictionary<int, double> LogitBias { get; init; } = NoLogitBias;
}
