using MockServer.Chat;

namespace MockServer.Fixtures;

/// <summary>
/// The fixtures one request can see (issue 9, "Isolation for parallel tests"): its session's run-time fixtures, then the
/// global run-time ones, then the files'. Matching and near-miss explanations both go through it, so a request is never
/// answered, nor told about, a fixture of another session. Immutable: a request reads one scope, so an add or a removal
/// while it is handled changes neither its match nor its explanation halfway.
/// </summary>
/// <remarks>
/// Why this order: the narrower scope overrides the broader one, as a later source overrides an earlier one at start. A
/// test's session fixture can then change one answer that a suite-wide (global) run-time fixture or a file gives,
/// without touching what other tests see; a global run-time fixture overrides the files the same way for every test.
/// </remarks>
internal sealed class FixtureScope(FixtureSet files, FixtureLayer? session, FixtureLayer? global)
{
    public FixtureSet Files { get; } = files;

    public CompletionFixture? Match(string modelId, string prompt) =>
        Match(session?.Completions, modelId, prompt) ?? Match(global?.Completions, modelId, prompt) ?? Match(Files.Completions, modelId, prompt);

    /// <summary>The first fixture that matches the conversation and that <paramref name="usable"/> accepts, scopes in order.</summary>
    public ChatFixture? MatchChat(string modelId, IReadOnlyList<ChatMessage> messages, Func<ChatFixture, bool> usable) =>
        MatchChat(session?.Chats, modelId, messages, usable) ?? MatchChat(global?.Chats, modelId, messages, usable)
        ?? MatchChat(Files.Chats, modelId, messages, usable);

    /// <summary>When no completion fixture matched: the closest ones this request could see (<see cref="NearMisses"/>).</summary>
    public IReadOnlyList<NearMiss> ExplainCompletion(string modelId, string prompt) =>
        NearMisses.ForCompletion(Visible(session?.Completions, global?.Completions, Files.Completions), modelId, prompt);

    /// <summary>When no chat fixture answered: the closest ones this request could see.</summary>
    public IReadOnlyList<NearMiss> ExplainChat(string modelId, IReadOnlyList<ChatMessage> messages, Func<ChatFixture, string?>? unusable = null) =>
        NearMisses.ForChat(Visible(session?.Chats, global?.Chats, Files.Chats), modelId, messages, unusable);

    private static CompletionFixture? Match(IReadOnlyList<CompletionFixture>? fixtures, string modelId, string prompt)
    {
        if (fixtures is null)
        {
            return null;
        }

        // Indexed, not foreach: an interface's enumerator is boxed, and this runs on every request.
        for (var i = 0; i < fixtures.Count; i++)
        {
            if (fixtures[i].Matches(modelId, prompt))
            {
                return fixtures[i];
            }
        }

        return null;
    }

    private static ChatFixture? MatchChat(IReadOnlyList<ChatFixture>? fixtures, string modelId, IReadOnlyList<ChatMessage> messages, Func<ChatFixture, bool> usable)
    {
        if (fixtures is null)
        {
            return null;
        }

        for (var i = 0; i < fixtures.Count; i++)
        {
            if (fixtures[i].Matches(modelId, messages) && usable(fixtures[i]))
            {
                return fixtures[i];
            }
        }

        return null;
    }

    /// <summary>All three scopes in match precedence (the near-miss ranking breaks ties by it); built only when explaining.</summary>
    private static IReadOnlyList<T> Visible<T>(IReadOnlyList<T>? session, IReadOnlyList<T>? global, IReadOnlyList<T> files) =>
        session is null && global is null ? files : [.. session ?? [], .. global ?? [], .. files];
}
