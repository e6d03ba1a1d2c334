namespace MockServer.Journal;

/// <summary>
/// One request as the mock saw and answered it (issue 9, "Request journal"): what the client sent (headers with keys
/// redacted, the body), what answered it (a fixture, the synthetic model, or why no fixture matched), any fault, the
/// status, the frames sent, the time it took and whether the client left early.
/// </summary>
public sealed record JournalEntry
{
    /// <summary>Increases by one per request, from 1.</summary>
    public required long Sequence { get; init; }

    /// <summary>When the request arrived, on the server's clock.</summary>
    public required DateTimeOffset Time { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>Request headers; credentials (Authorization, api keys, cookies) redacted.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>The request body as text (at most <see cref="RequestJournal.MaxBodyChars"/> characters), or null without one.</summary>
    public string? Body { get; init; }

    /// <summary>Whether <see cref="Body"/> was cut at the limit.</summary>
    public bool BodyTruncated { get; init; }

    /// <summary>A hash of method, path and body: equal for a request and its retries.</summary>
    public string? RequestHash { get; init; }

    /// <summary>The model the request named, once it was read.</summary>
    public string? Model { get; init; }

    /// <summary>The request's <c>X-Mock-Session</c> header, which scopes journal entries between parallel tests.</summary>
    public string? Session { get; init; }

    /// <summary><c>fixture</c>, <c>synthetic</c>, or null when the request never reached generation (an error before).</summary>
    public string? AnsweredBy { get; init; }

    /// <summary>The name of the fixture that answered, if one did.</summary>
    public string? Fixture { get; init; }

    /// <summary>When no fixture matched: the closest fixtures and why each failed.</summary>
    public IReadOnlyList<string> NearMisses { get; init; } = [];

    /// <summary>The fault applied, in the <c>X-Mock-Fault</c> syntax, if any.</summary>
    public string? Fault { get; init; }

    public required int Status { get; init; }

    /// <summary>The response's <c>Retry-After</c> in seconds, when it had one.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>Whether the answer was a stream.</summary>
    public bool Stream { get; init; }

    /// <summary>SSE events sent (<c>[DONE]</c> counts), for a stream.</summary>
    public int Frames { get; init; }

    /// <summary>Whether a stream's <c>[DONE]</c> was sent.</summary>
    public bool Done { get; init; }

    public required TimeSpan Duration { get; init; }

    /// <summary>Whether the client went away before the answer was complete.</summary>
    public bool LeftEarly { get; init; }

    /// <summary>
    /// The response body as the mock wrote it: a JSON answer's body, or a stream's SSE text (every <c>data:</c> event
    /// with its blank line, <c>[DONE]</c> included), at most <see cref="RequestJournal.MaxResponseChars"/> characters;
    /// null when no body was written. <c>GET /admin/journal/{sequence}</c> shows it; the list leaves it out.
    /// </summary>
    public string? Response { get; init; }

    /// <summary>Whether <see cref="Response"/> was cut at the limit.</summary>
    public bool ResponseTruncated { get; init; }
}
