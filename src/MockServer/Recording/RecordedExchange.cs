namespace MockServer.Recording;

/// <summary>One SSE frame as the upstream sent it: its bytes (the blank line included) and when it arrived after the request began.</summary>
internal sealed record RecordedFrame(ReadOnlyMemory<byte> Bytes, TimeSpan Offset);

/// <summary>
/// One recorded exchange (a recording file, <c>schemas/recording.schema.json</c>): what the request was (its match
/// keys) and what the upstream answered, streamed (<see cref="Frames"/>) or not (<see cref="Body"/>).
/// </summary>
internal sealed class RecordedExchange
{
    /// <summary>The file name, which the journal names as what answered.</summary>
    public required string Name { get; init; }

    /// <summary><c>completions</c>, <c>chat</c> or <c>models</c>.</summary>
    public required string Endpoint { get; init; }

    public required string Method { get; init; }

    public required string Path { get; init; }

    /// <summary>The match keys in canonical JSON (<see cref="MatchKeys.Canonical"/>): what a replayed request must equal.</summary>
    public required string Match { get; init; }

    /// <summary>Replay ids and <c>created</c> as recorded instead of regenerating them.</summary>
    public bool Pinned { get; init; }

    public required int Status { get; init; }

    /// <summary>The allow-listed response headers (<see cref="HeaderRules.Recorded"/>).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; }

    /// <summary>The frames of a streamed answer, in order; null when the answer was one body.</summary>
    public IReadOnlyList<RecordedFrame>? Frames { get; init; }

    /// <summary>The body of an answer that was not streamed.</summary>
    public ReadOnlyMemory<byte> Body { get; init; }

    /// <summary>When the whole body had arrived (an answer that was not streamed).</summary>
    public TimeSpan BodyOffset { get; init; }

    /// <summary>The upstream aborted the connection after the frames (no clean end): replay aborts too.</summary>
    public bool Reset { get; init; }

    /// <summary>The key a request is looked up by: method, path and match keys.</summary>
    public string Key => MatchKeys.Key(Method, Path, Match);
}
