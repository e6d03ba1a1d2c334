namespace Conformance.Tests.Fakes;

/// <summary>
/// One way to break the acs contract outside request validation. Each is meant to break exactly one check;
/// validation rules are broken by naming the check id in <see cref="FakeServerOptions.DisabledRules"/>.
/// </summary>
public enum Violation
{
    ErrorOmitsNullKeys,
    ServerErrorOnBadLogitBias,
    UnavailableWithoutRetryAfter,
    NonStreamObjectWrong,
    IdWithoutPrefix,
    UsageTotalOff,
    LengthCompletionTokensOff,
    StopStringIncluded,
    StopReasonNull,
    StreamContentTypeJson,
    StreamEventField,
    StreamNonJsonEvent,
    StreamDataAfterDone,
    StreamNoDone,
    StreamDoneWithoutBlankLine,
    StreamCreatedTicks,
    StreamEventOnlyBlock,
    StreamChunkMissingStopReason,
    StreamContentUsageOmitted,
    StreamIntermediateEmptyFinish,
    StreamNoFinishReason,
    StreamSeparateEmptyFinishChunk,
    StreamNoUsageChunk,
    StreamUsageAlways,
    StreamUsageTotalOff,
    StreamUsageCompletionOff,
    LogprobsShortOffsets,
    LogprobsPositive,
    LogprobsTopKTooMany,
    LogprobsTopMissingSampled,
    LogprobsOffsetsDecreasing,
    EchoFirstNotNull,
    PromptLogprobsFirstNotNull,
    StreamLogprobsNull,
    StreamTextDiffers,
    SeedIgnored,
    ModelsObjectWrong,
    ModelsMissingConfigured,

    /// <summary>vLLM's reading of <c>stream_options: {}</c>: include_usage defaults to true (spec-facts §9 Q11).</summary>
    StreamUsageWhenOptionsPresent,

    /// <summary>llama.cpp's completions streams: usage even with <c>include_usage: false</c> (spec-facts §12.1).</summary>
    StreamUsageWhenIncludeUsageFalse,

    // Unexpected keys: harmless to a lenient client, caught only by the schema.* checks (additionalProperties: false).
    CompletionExtraKey,
    StreamChunkExtraKey,
    ErrorExtraKey,
    ModelCardExtraKey,

    // Second ways to break checks that judge several things.
    StreamUsageNotLast,
    StreamUsageChoicesNotEmpty,
    StreamGarbageAfterDone,
    StreamContentAfterFinish,
    ErrorCodeInteger,
    ErrorParamNull,
    ErrorTypeWrong,
    ErrorNotEnvelope,
    StopFinishLength,
    StreamErrorFieldBlock,
    StreamFieldBlocksAfterDone,
    StreamChunkMissingIdentity,

    /// <summary>A mid-stream error event after the first chunk, then the connection closes without [DONE] (spec-facts §4.6).</summary>
    StreamErrorEventWithoutDone,

    /// <summary><c>x-ratelimit-remaining-requests</c> above <c>x-ratelimit-limit-requests</c> on every completion (spec-facts §6.4).</summary>
    RateLimitRemainingAboveLimit,

    // Not violations under acs: error.code null, or a code spec-facts does not name where it names none.
    ErrorCodeNull,
    ErrorCodeUncited,

    // One probe refused: only the check that owns that probe may fail.
    EchoRejected,
    StreamRejected,

    // Allowed by spec-facts §3.1 L4: a top_logprobs entry with fewer than k items (two ids decoded to one string).
    LogprobsTopKFewer,

    // Allowed: temperature 0 is not reliably deterministic, so the stop run need not repeat the greedy reference.
    StopRunDiverges,

    // finish_reason "content_filter" on the non-streamed completion: an OpenAI value, not the provider's.
    FinishContentFilter,
}

/// <summary>Whole-endpoint misbehaviour: the suite must report it, never crash on it.</summary>
public enum Hostility
{
    None,
    Hang,
    Garbage,
    EndlessStream,
    HugeBody,
    Reset,
}

/// <summary>Which server the fake answers as: each dialect is a whole wire, not a violation of another.</summary>
public enum FakeDialect
{
    /// <summary>The strict provider of provider-docs/ (spec-facts §11).</summary>
    Acs,

    /// <summary>
    /// OpenAI as served (spec-facts §4.3, §9 Q9, §10 item 3): the finish on a separate chunk with empty text and
    /// <c>"logprobs": null</c>, and a logprobs ceiling of 5.
    /// </summary>
    OpenAi,

    /// <summary>A current llama.cpp server (<c>llama-server</c>), as spec-facts §12 observed it.</summary>
    LlamaCpp,
}

/// <summary>How the fake behaves. The default is fully acs-conformant.</summary>
public sealed class FakeServerOptions
{
    public FakeDialect Dialect { get; set; }

    /// <summary>Coerce JSON booleans in numeric fields to 1/0 and judge them by the range rules (spec-facts §12.1: <c>n: false</c>).</summary>
    public bool CoerceBooleans { get; set; }

    /// <summary>
    /// Treat any <c>max_tokens</c> that is not a positive integer (-1, 0, true, false, "16", null, absent) as "until the
    /// context is full" (<see cref="ContextTokens"/>), generated lazily and stopped when the client leaves.
    /// </summary>
    public bool RunawayMaxTokens { get; set; }

    /// <summary>The context a runaway generation fills (spec-facts §12.1: until the slot's context is full).</summary>
    public int ContextTokens { get; set; } = 131_072;

    /// <summary>
    /// Hold the first this-many completion requests until that many are in flight at once: a deterministic overlap that
    /// proves a client really sends that many concurrently (0: no gate). A client bounded below it never gets past.
    /// </summary>
    public int OverlapFirst { get; set; }

    public string? ApiKey { get; set; } = "test-key";

    public HashSet<Violation> Violations { get; } = [];

    /// <summary>
    /// Raw SSE text written after a stream's first chunk in place of the rest of the stream, e.g. a mid-stream error event
    /// and <c>data: [DONE]</c> (spec-facts §4.6); null streams the whole completion.
    /// </summary>
    public string? StreamErrorTail { get; set; }

    /// <summary>Headers put on every completions answer, e.g. <c>x-ratelimit-*</c> (spec-facts §6.4).</summary>
    public Dictionary<string, string> CompletionHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Validation rules to skip, named by the check id that tests them.</summary>
    public HashSet<string> DisabledRules { get; } = new(StringComparer.Ordinal);

    public Hostility Hostility { get; set; }

    /// <summary>Line terminator for SSE: the suite must accept LF, CRLF and CR alike.</summary>
    public string NewLine { get; set; } = "\n";

    /// <summary>Interleave <c>: keep-alive</c> comments between events.</summary>
    public bool Comments { get; set; }

    /// <summary>Write SSE in pieces of this many bytes, flushing each, so chunk boundaries fall anywhere; 0 writes whole events.</summary>
    public int WriteSize { get; set; }

    /// <summary>Answer this many completion requests with 503 + <see cref="RetryAfter"/> first (a cold start).</summary>
    public int ColdStartFailures { get; set; }

    public string? RetryAfter { get; set; } = "1";

    /// <summary>The status of the cold-start answers: 503 (cold start) or 429 (budget).</summary>
    public int ColdStartStatus { get; set; } = 503;

    /// <summary>Hex digits in completion ids: the provider docs show 16, spec-facts §2.2 I4 says 32.</summary>
    public int IdHexDigits { get; set; } = 16;

    /// <summary>The largest accepted <c>logprobs</c>: 20 for the provider, 5 for OpenAI (spec-facts §10 item 3).</summary>
    public int MaxLogprobs { get; set; } = 20;

    /// <summary>Gets the ceiling in effect: the OpenAI dialect's is 5.</summary>
    internal int LogprobsCeiling => Dialect == FakeDialect.OpenAi ? Math.Min(MaxLogprobs, 5) : MaxLogprobs;

    /// <summary>A hostile server that echoes the Authorization header into error messages (redaction test).</summary>
    public bool EchoAuthorization { get; set; }
}
