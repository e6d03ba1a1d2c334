using MockServer.Chat;

namespace MockServer.Fixtures;

/// <summary>A tool call a chat fixture scripts: the function and its arguments as JSON text.</summary>
internal sealed record ScriptedToolCall(string Name, string Arguments);

/// <summary>
/// A scripted assistant turn: the conversation it answers and either content tokens or tool calls (one or several).
/// </summary>
internal sealed record ChatFixture(
    string Name,
    string Location,
    string? Model,
    IReadOnlyList<FixtureToken> Tokens,
    IReadOnlyList<ScriptedToolCall> ToolCalls,
    bool ContinueSynthetic)
{
    // CONTRACT STUB (lead): the catalog/fixtures work adds the match (last user message exact/prefix/regex/contains,
    // system message, turn index) and its loading from fixture files.
    public bool Matches(string modelId, IReadOnlyList<ChatMessage> messages) =>
        (Model is null || string.Equals(Model, modelId, StringComparison.Ordinal)) && messages.Count < 0;

    /// <summary>What the engine follows for content (tool calls are scripted per call by the chat adapter).</summary>
    public Generation.TokenScript Script { get; } = new(Tokens, ContinueSynthetic);
}
