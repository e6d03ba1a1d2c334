namespace MockServer.Dialects;

/// <summary>What the first (role) delta of a streamed chat choice says about <c>content</c> (spec-facts §5, §12.2, §13).</summary>
internal enum RoleChunkContent
{
    /// <summary><c>{"role": "assistant"}</c>: the seed chat provider (§13).</summary>
    Absent,

    /// <summary><c>{"role": "assistant", "content": ""}</c>: OpenAI and vLLM (§5).</summary>
    Empty,

    /// <summary><c>{"role": "assistant", "content": null}</c>: llama.cpp (§12.2).</summary>
    Null,
}

/// <summary>Where a streamed chat choice's <c>finish_reason</c> goes (spec-facts §10 item 4).</summary>
internal enum FinishPlacement
{
    /// <summary>A chunk of its own with <c>delta: {}</c> after the last content delta (OpenAI, llama.cpp, the seed provider).</summary>
    SeparateEmptyDelta,

    /// <summary>On the chunk of the last content delta (vLLM).</summary>
    WithLastContent,
}

/// <summary>Where a stream's usage goes (spec-facts §4.4, §5, §13).</summary>
internal enum UsagePlacement
{
    /// <summary>On the final (finish) chunk of every stream, whatever <c>stream_options</c> says (the seed provider, §13).</summary>
    FinalChunkAlways,

    /// <summary>Only with <c>include_usage: true</c>, in a last chunk with <c>choices: []</c> (OpenAI, §4.4).</summary>
    SeparateChunkWhenIncluded,
}

/// <summary>
/// The wire rules that differ between providers, as data read by the chunk mappers (REVIEW.md, seam 4). Names are
/// the suite's profile names, so <c>--profile openai</c> means the same on both sides. Completions keep the
/// <c>acs</c> provider's rules in every dialect for now; these fields describe chat.
/// </summary>
internal sealed record Dialect
{
    public required string Name { get; init; }

    public required string Description { get; init; }

    public required RoleChunkContent RoleContent { get; init; }

    public required FinishPlacement Finish { get; init; }

    public required UsagePlacement Usage { get; init; }

    /// <summary>Whether chunks without usage carry <c>"usage": null</c> (OpenAI with include_usage, §4.4) rather than omit the key.</summary>
    public bool UsageNullWhenIncluded { get; init; }

    /// <summary>
    /// Whether a chunk choice without logprobs carries <c>"logprobs": null</c> (OpenAI, vLLM) rather than omit the key
    /// (the seed provider's documented chunks have none, §13).
    /// </summary>
    public bool LogprobsNullInChunks { get; init; } = true;
}

/// <summary>The dialects the mock serves, by the suite's profile names.</summary>
internal static class Dialects
{
    /// <summary>OpenAI's chat wire (spec-facts §5): role chunk with empty content, separate finish chunk, opt-in usage chunk.</summary>
    public static readonly Dialect OpenAi = new()
    {
        Name = "openai",
        Description = "OpenAI: role chunk with content \"\", a separate finish chunk with an empty delta, usage only with include_usage in a choices: [] chunk.",
        RoleContent = RoleChunkContent.Empty,
        Finish = FinishPlacement.SeparateEmptyDelta,
        Usage = UsagePlacement.SeparateChunkWhenIncluded,
        UsageNullWhenIncluded = true,
    };

    /// <summary>The seed chat provider (provider-docs/llmbase-chat-stream.txt, spec-facts §13).</summary>
    public static readonly Dialect Llmbase = new()
    {
        Name = "llmbase",
        Description = "The seed chat provider: role chunk without content, a final chunk with delta {}, the finish_reason and usage in every stream.",
        RoleContent = RoleChunkContent.Absent,
        Finish = FinishPlacement.SeparateEmptyDelta,
        Usage = UsagePlacement.FinalChunkAlways,
        LogprobsNullInChunks = false,
    };

    /// <summary>
    /// The strict base-model provider. Its docs describe completions only; a chat request to one of its models meets
    /// the strict gateway, which answers as OpenAI does (our choice, recorded in the README).
    /// </summary>
    public static readonly Dialect Acs = OpenAi with
    {
        Name = "acs",
        Description = "The strict base-model provider (default for completions); its chat follows OpenAI's wire.",
    };

    public static IReadOnlyList<Dialect> All { get; } = [Acs, Llmbase, OpenAi];

    public static Dialect? Find(string name) => All.FirstOrDefault(d => string.Equals(d.Name, name, StringComparison.Ordinal));
}
