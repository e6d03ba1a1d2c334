namespace MockServer.Endpoints;

/// <summary>
/// The completion tokens a client has been given so far: the tokens of every frame flushed, or the whole usage of a
/// body sent. A stream cut short (the client left, a fault ended it, a write timed out) is charged this (issue 8).
/// </summary>
internal sealed class SentTokens
{
    public int Count { get; private set; }

    public void Add(int tokens) => Count += tokens;

    /// <summary>
    /// A stream written to its end, <c>[DONE]</c> included, gave the client every token, also those no frame shows
    /// (a tool call's end-of-text); unless a fault ended it early, when the frames sent are what counts.
    /// </summary>
    public void Delivered(SseSink sink, int completionTokens)
    {
        if (sink.Delivering)
        {
            Count = completionTokens;
        }
    }
}
