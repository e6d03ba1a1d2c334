namespace MockServer.Generation;

/// <summary>
/// A request's candidates, started but not generated: each reader generates as it is read (a stream's frames), so
/// the response is produced as it is written. The prompts are scored up front (they are bounded by the request).
/// Readers are ordered as the choices of <see cref="CompletionResult"/> are: prompt by prompt, n per prompt.
/// </summary>
internal sealed class GenerationStream(IReadOnlyList<ScoredPrompt> prompts, IReadOnlyList<VisibleTokenReader> choices)
{
    public IReadOnlyList<ScoredPrompt> Prompts { get; } = prompts;

    public IReadOnlyList<VisibleTokenReader> Choices { get; } = choices;

    /// <summary>The prompt a choice continues.</summary>
    public int PromptIndexOf(int choice) => choice / (Choices.Count / Prompts.Count);

    public int PromptTokens => Prompts.Sum(p => p.Input.Tokens.Count);

    /// <summary>Tokens generated so far by every choice (the usage once all have finished).</summary>
    public int CompletionTokens => Choices.Sum(c => c.Generator.Count);
}
