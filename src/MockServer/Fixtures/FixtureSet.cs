namespace MockServer.Fixtures;

/// <summary>All loaded fixtures: the served models, and the completion and chat fixtures in match precedence.</summary>
internal sealed class FixtureSet(IReadOnlyList<ModelDefinition> models, IReadOnlyList<CompletionFixture> completions, IReadOnlyList<ChatFixture>? chats = null)
{
    public IReadOnlyList<ModelDefinition> Models { get; } = models;

    /// <summary>
    /// In precedence order: later sources (code, then <c>--fixtures</c>, then the embedded defaults) first; within a
    /// source, exact matches before prefixes (longest first) before regexes, then file order.
    /// </summary>
    public IReadOnlyList<CompletionFixture> Completions { get; } = completions;

    /// <summary>
    /// Chat fixtures, in the same precedence as <see cref="Completions"/>: later sources first; then exact, prefix and
    /// contains (longest first), regex, no user criterion; then fixtures that also pin the system message or turn; file order.
    /// </summary>
    public IReadOnlyList<ChatFixture> Chats { get; } = chats ?? [];

    public ChatFixture? MatchChat(string modelId, IReadOnlyList<Chat.ChatMessage> messages) =>
        Chats.FirstOrDefault(f => f.Matches(modelId, messages));

    /// <summary>The first fixture that matches the conversation and that <paramref name="usable"/> accepts (e.g. its calls are allowed by the request).</summary>
    public ChatFixture? MatchChat(string modelId, IReadOnlyList<Chat.ChatMessage> messages, Func<ChatFixture, bool> usable) =>
        Chats.FirstOrDefault(f => f.Matches(modelId, messages) && usable(f));

    public CompletionFixture? Match(string modelId, string prompt)
    {
        foreach (var fixture in Completions)
        {
            if (fixture.Matches(modelId, prompt))
            {
                return fixture;
            }
        }

        return null;
    }

    /// <summary>When no completion fixture matched: the closest ones and why each failed, best first (<see cref="NearMisses"/>).</summary>
    public IReadOnlyList<NearMiss> ExplainCompletion(string modelId, string prompt) => NearMisses.ForCompletion(Completions, modelId, prompt);

    /// <summary>
    /// When no chat fixture answered: the closest ones and why each failed, best first. <paramref name="unusable"/> is the
    /// endpoint's reason a matching fixture may still not answer (as <see cref="MatchChat(string, IReadOnlyList{Chat.ChatMessage}, Func{ChatFixture, bool})"/>'s filter).
    /// </summary>
    public IReadOnlyList<NearMiss> ExplainChat(string modelId, IReadOnlyList<Chat.ChatMessage> messages, Func<ChatFixture, string?>? unusable = null) =>
        NearMisses.ForChat(Chats, modelId, messages, unusable);
}
