using MockServer.Catalog;
using MockServer.Fixtures;
using MockServer.Validation;

namespace MockServer.Generation;

/// <summary>
/// A scripted continuation handed to the engine: the tokens to give first, then either end-of-text or the synthetic
/// model. Completion fixtures, chat fixtures, tool calls and structured output all reach the engine as one of these,
/// so usage, logprobs, stop strings and max_tokens treat them alike.
/// </summary>
internal sealed record TokenScript(IReadOnlyList<FixtureToken> Tokens, bool ContinueSynthetic);

/// <summary>
/// What the generation core needs, and nothing of an endpoint (REVIEW.md, seam 1): prompts as tokens, sampling,
/// stop strings, lengths, seed, how many alternatives to rank, and per prompt the script to follow. Endpoint options
/// (echo, include_usage, the wire shape of logprobs) stay with the endpoint's own request.
/// </summary>
internal sealed record GenerationRequest
{
    public required ServedModel Model { get; init; }

    public required IReadOnlyList<PromptInput> Prompts { get; init; }

    public required int MaxTokens { get; init; }

    /// <summary>Choices returned per prompt.</summary>
    public int N { get; init; } = 1;

    /// <summary>Candidates generated per prompt; the <see cref="N"/> with the highest cumulative logprob are kept.</summary>
    public int BestOf { get; init; } = 1;

    /// <summary>Alternatives ranked per generated position, or null when no logprobs are shown.</summary>
    public int? TopLogprobs { get; init; }

    /// <summary>Alternatives ranked per prompt position, or null when prompts are not scored.</summary>
    public int? PromptTopLogprobs { get; init; }

    public IReadOnlyList<string> Stop { get; init; } = [];

    public long? Seed { get; init; }

    public required SamplingParameters Sampling { get; init; }

    /// <summary>
    /// The script for a candidate (prompt index, candidate index, prompt), or null to sample from the synthetic model.
    /// Chat gives each choice its own seeded plan (own tool arguments, own structured output); completions ignore the candidate.
    /// </summary>
    public Func<int, int, PromptInput, TokenScript?> Script { get; init; } = static (_, _, _) => null;
}
