using MockServer.Catalog;
using MockServer.Generation;
using MockServer.Tokenization;

namespace MockServer.Validation;

/// <summary>One prompt of a request: its text (detokenized for token-id prompts) and its tokens.</summary>
internal sealed record PromptInput(string Text, IReadOnlyList<Token> Tokens);

/// <summary>A validated <c>/v1/completions</c> request: every value is in range and cross-field rules hold.</summary>
internal sealed record CompletionRequest
{
    public required ServedModel Model { get; init; }

    public required IReadOnlyList<PromptInput> Prompts { get; init; }

    public int MaxTokens { get; init; } = 16;

    public int N { get; init; } = 1;

    public int BestOf { get; init; } = 1;

    public bool Echo { get; init; }

    public bool Stream { get; init; }

    public bool IncludeUsage { get; init; }

    /// <summary>Top-k alternatives per generated position, or null for no logprobs.</summary>
    public int? Logprobs { get; init; }

    public int? PromptLogprobs { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public long? Seed { get; init; }

    public required SamplingParameters Sampling { get; init; }
}
