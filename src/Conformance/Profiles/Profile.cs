namespace Conformance.Profiles;

/// <summary>What type <c>error.code</c> must have (spec-facts §10 item 7).</summary>
internal enum ErrorCodeKind
{
    /// <summary>OpenAI and the provider: a string or null.</summary>
    StringOrNull,

    /// <summary>vLLM and llama.cpp: the HTTP status as an integer.</summary>
    Integer,
}

/// <summary>
/// A set of expectations. Profiles are data: a check reads these values and never branches on the profile name,
/// so adding a profile adds no code path (issue 3, "Profiles").
/// </summary>
internal sealed record Profile
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    /// <summary>Gets the model to request when none is given.</summary>
    public string? DefaultModel { get; init; }

    /// <summary>Gets level overrides keyed by check id, or by a prefix ending in <c>*</c>; the longest match wins, MUST otherwise.</summary>
    public required IReadOnlyDictionary<string, CheckLevel> Levels { get; init; }

    /// <summary>Gets the required <c>error.type</c> of validation errors; null accepts any.</summary>
    public string? ErrorType { get; init; }

    /// <summary>Gets a value indicating whether <c>error.param</c> must name the offending field.</summary>
    public bool RequireParam { get; init; }

    /// <summary>
    /// Gets a value indicating whether a non-null <c>error.code</c> must equal the code spec-facts names for the case
    /// (<c>invalid_type</c>, <c>unknown_parameter</c>, <c>model_not_found</c>, <c>invalid_api_key</c>); null is always accepted.
    /// </summary>
    public bool RequireErrorCode { get; init; }

    public ErrorCodeKind CodeKind { get; init; }

    /// <summary>Gets a value indicating whether all four error keys must be present, nulls included (spec-facts §6.1).</summary>
    public bool RequireAllErrorKeys { get; init; }

    /// <summary>Gets the largest accepted <c>logprobs</c> (spec-facts §10 item 3).</summary>
    public int MaxLogprobs { get; init; }

    /// <summary>Gets a value indicating whether the finish chunk may carry empty text (spec-facts §10 item 4).</summary>
    public bool FinishTextMayBeEmpty { get; init; }

    /// <summary>Gets the finish_reason values a non-streamed choice may carry (spec-facts §2.1, §5).</summary>
    public IReadOnlyList<string> FinishReasons { get; init; } = ["stop", "length"];

    /// <summary>Gets the pattern a completion id must match (spec-facts §2.2 I4).</summary>
    public required string IdPattern { get; init; }

    /// <summary>Gets the keys every non-streamed choice must carry (spec-facts §2.1, §10 item 5).</summary>
    public required IReadOnlyList<string> ChoiceKeys { get; init; }

    /// <summary>Gets the keys every streamed content choice must carry (spec-facts §4.2).</summary>
    public required IReadOnlyList<string> StreamChoiceKeys { get; init; }

    /// <summary>Gets a value indicating whether content chunks must carry <c>"usage": null</c> rather than omit it (spec-facts §9 Q12).</summary>
    public bool UsageNullOnContentChunks { get; init; }

    /// <summary>
    /// Gets the probes (named as the check that owns them) whose 5xx answer is this profile's expected divergence, e.g.
    /// llama.cpp's 500 for invalid JSON (spec-facts §12.1). The owning check reports that 5xx at its own level instead of
    /// as not evaluable, and <c>errors.no-5xx</c> leaves those probes out, so the divergence is counted once.
    /// </summary>
    public IReadOnlyList<string> ExpectedServerErrors { get; init; } = [];

    /// <summary>
    /// Gets a value indicating whether an <c>x-ratelimit-reset-*</c> header must be a duration as OpenAI writes it
    /// (<c>6m0s</c>, <c>20ms</c>: spec-facts §6.4 [O]); otherwise a bare number of seconds (<c>11.38</c>, as Cerebras
    /// sends) passes too. Only OpenAI documents a format for these optional headers; other servers choose their own.
    /// </summary>
    public bool RateLimitResetAsDuration { get; init; }

    /// <summary>Gets the chat completions wire this profile expects (spec-facts §5).</summary>
    public required ChatRules Chat { get; init; }

    /// <summary>Gets the keys a model card must carry beyond id/object/created/owned_by (spec-facts §7).</summary>
    public required IReadOnlyList<string> ModelCardKeys { get; init; }

    /// <summary>Returns the level of <paramref name="checkId"/>: exact id first, then the longest matching prefix.</summary>
    public CheckLevel LevelFor(string checkId)
    {
        if (Levels.TryGetValue(checkId, out var exact))
        {
            return exact;
        }

        var best = -1;
        var level = CheckLevel.Must;
        foreach (var (pattern, value) in Levels)
        {
            if (pattern.EndsWith('*') && checkId.StartsWith(pattern[..^1], StringComparison.Ordinal) && pattern.Length > best)
            {
                best = pattern.Length;
                level = value;
            }
        }

        return level;
    }
}
