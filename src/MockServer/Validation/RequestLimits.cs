namespace MockServer.Validation;

/// <summary>The numeric limits both endpoints enforce, named in one place so a message and its check cannot drift apart.</summary>
internal static class RequestLimits
{
    /// <summary>Alternatives per position: vLLM's default <c>max_logprobs</c> (spec-facts §11.1), OpenAI's chat <c>top_logprobs</c> maximum.</summary>
    public const int MaxLogprobs = 20;

    /// <summary>OpenAI's limit on <c>stop</c> sequences.</summary>
    public const int MaxStopSequences = 4;

    /// <summary>Sequences one request may ask for (prompts × <c>n</c> or <c>best_of</c>).</summary>
    public const int MaxChoices = 128;

    /// <summary>OpenAI's documented maximum for completions' <c>best_of</c>.</summary>
    public const int MaxBestOf = 20;
}
