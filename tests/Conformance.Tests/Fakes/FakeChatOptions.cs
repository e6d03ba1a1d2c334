namespace Conformance.Tests.Fakes;

/// <summary>Which chat wire the fake speaks: each is a whole dialect (spec-facts §5, §12.2, §13), named as the suite's profiles.</summary>
public enum ChatDialect
{
    /// <summary>The seed chat provider: role chunk without content, a final <c>delta: {}</c> chunk with finish and usage in every stream (§13).</summary>
    Llmbase,

    /// <summary>OpenAI: role chunk with content "", a separate finish chunk, usage only with include_usage in a <c>choices: []</c> chunk, <c>usage: null</c> elsewhere (§5).</summary>
    OpenAi,

    /// <summary>vLLM: role chunk with content "", the finish on the last content chunk, no usage key on content chunks, logprobs without refusal (§5, §3.3).</summary>
    Vllm,

    /// <summary>llama.cpp: role chunk with content null, a separate finish chunk, no usage key elsewhere, logprobs without refusal (§12.2).</summary>
    LlamaCpp,
}

/// <summary>One way to break the chat wire; each is meant to break exactly one chat check.</summary>
public enum ChatViolation
{
    StreamContentTypeJson,
    StreamEventField,
    StreamNonJsonEvent,
    StreamDataAfterDone,
    StreamDoneWithoutBlankLine,
    StreamNoDone,
    StreamEventOnlyBlock,
    ChunkObjectWrong,
    CreatedTicks,
    RoleChunkMissing,
    DeltaUnknownKey,
    StreamContentDiffers,
    FinishWithLastContent,
    FinishTwice,
    NoUsageChunk,
    UsageAlways,
    UsageNullOmitted,
    StreamUsageTotalOff,
    StreamUsageCompletionOff,
    ResponseObjectWrong,
    IdWithoutPrefix,
    FinishEos,
    UsageTotalOff,
    LengthCompletionTokensOff,
    LogprobsRefusalOmitted,
    LogprobsPositive,
    LogprobsBytesWrong,
    LogprobsTopTooMany,
    LogprobsTopUnsorted,

    // Second ways to break checks that judge several things.
    StreamLogprobsMissing,
    ContentAfterFinish,
    UsageNotLast,
    ToolCallsNull,
    MessageRefusalOmitted,
    RoleChunkContentNull,
    StreamFinishEos,
    StreamIdWithoutPrefix,
    IntermediateFinishEmpty,

    // One probe refused: only the check that owns that probe may fail.
    LogprobsStreamRejected,

    // Nothing to judge: the rule holds only vacuously, so its check must fail saying what was missing.
    EmptyAnswer,
    LogprobsBytesNull,
    LogprobsTopSingle,
}

/// <summary>How the chat fake behaves. The default speaks the OpenAI dialect correctly.</summary>
public sealed class FakeChatOptions
{
    public ChatDialect Dialect { get; set; } = ChatDialect.OpenAi;

    public HashSet<ChatViolation> Violations { get; } = [];

    /// <summary>Answer chat as a server without the route: 404 (the chat gate's "not served").</summary>
    public bool NoRoute { get; set; }

    /// <summary>Answer chat as vLLM does for a base model without a chat template: 400 (spec-facts §5 notes).</summary>
    public bool NoTemplate { get; set; }

    public string? ApiKey { get; set; } = "test-key";
}
