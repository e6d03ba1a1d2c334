using System.Text.RegularExpressions;

namespace MockServer.Fixtures;

/// <summary>How a fixture's prompt pattern is compared with a request's prompt.</summary>
internal enum PromptMatchKind
{
    Exact,
    Prefix,
    Regex,
}

/// <summary>A scripted continuation: the request it answers and the tokens it gives.</summary>
internal sealed record CompletionFixture(
    string Name,
    string Location,
    string? Model,
    PromptMatchKind Kind,
    string Pattern,
    Regex? Regex,
    IReadOnlyList<FixtureToken> Tokens,
    bool ContinueSynthetic)
{
    /// <summary>The fixture's <c>timing</c>, over its model's; null for none.</summary>
    public Hosting.StreamTiming? Timing { get; init; }

    /// <summary>The fault this fixture always answers with (the <c>X-Mock-Fault</c> syntax, parsed at load); a request's header wins.</summary>
    public Faults.FaultPlan? Fault { get; init; }

    /// <summary>What the engine follows when this fixture matches.</summary>
    public Generation.TokenScript Script { get; } = new(Tokens, ContinueSynthetic);

    public bool Matches(string modelId, string prompt) =>
        (Model is null || string.Equals(Model, modelId, StringComparison.Ordinal)) && Kind switch
        {
            PromptMatchKind.Exact => string.Equals(prompt, Pattern, StringComparison.Ordinal),
            PromptMatchKind.Prefix => prompt.StartsWith(Pattern, StringComparison.Ordinal),
            _ => Regex!.IsMatch(prompt),
        };
}

/// <summary>One scripted token, optionally with its logprob and its position's top alternatives.</summary>
internal sealed record FixtureToken(string Text, double? Logprob, IReadOnlyList<KeyValuePair<string, double>>? TopLogprobs);
