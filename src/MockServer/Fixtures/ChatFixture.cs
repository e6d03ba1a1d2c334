using System.Text.RegularExpressions;
using MockServer.Chat;

namespace MockServer.Fixtures;

/// <summary>A tool call a chat fixture scripts: the function and its arguments as JSON text.</summary>
internal sealed record ScriptedToolCall(string Name, string Arguments);

/// <summary>How a chat fixture compares the conversation's last user message; the order is match precedence.</summary>
internal enum UserMatchKind
{
    Exact,
    Prefix,
    Contains,
    Regex,

    /// <summary>The fixture says nothing about the user's message.</summary>
    Any,
}

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
    /// <summary>The fixture's <c>timing</c>, over its model's; null for none.</summary>
    public Hosting.StreamTiming? Timing { get; init; }

    /// <summary>The fault this fixture always answers with (the <c>X-Mock-Fault</c> syntax, parsed at load); a request's header wins.</summary>
    public Faults.FaultPlan? Fault { get; init; }

    public UserMatchKind UserKind { get; init; } = UserMatchKind.Any;

    /// <summary>The text compared with the last user message (null for <see cref="UserMatchKind.Any"/>).</summary>
    public string? UserPattern { get; init; }

    /// <summary>For <see cref="UserMatchKind.Regex"/>: compiled on the linear-time engine at load.</summary>
    public Regex? UserRegex { get; init; }

    /// <summary>The first system (or developer) message, exactly; null to accept any, or none.</summary>
    public string? System { get; init; }

    /// <summary>The number of user messages in the conversation (1 on the first turn); null for any.</summary>
    public int? Turn { get; init; }

    /// <summary>How many criteria beyond the user message it sets: more specific fixtures are tried first.</summary>
    internal int Constraints => (System is null ? 0 : 1) + (Turn is null ? 0 : 1);

    public bool Matches(string modelId, IReadOnlyList<ChatMessage> messages)
    {
        if (Model is not null && !string.Equals(Model, modelId, StringComparison.Ordinal))
        {
            return false;
        }

        if (Turn is { } turn && messages.Count(m => m.Role == "user") != turn)
        {
            return false;
        }

        if (System is not null && !string.Equals(System, messages.FirstOrDefault(m => m.Role is "system" or "developer")?.Content, StringComparison.Ordinal))
        {
            return false;
        }

        if (UserKind == UserMatchKind.Any)
        {
            return true;
        }

        // The last user message, not the last message: after a tool result the conversation ends with a tool turn.
        var lastUser = messages.LastOrDefault(m => m.Role == "user");
        if (lastUser is null)
        {
            return false;
        }

        var text = lastUser.Content ?? "";
        return UserKind switch
        {
            UserMatchKind.Exact => string.Equals(text, UserPattern, StringComparison.Ordinal),
            UserMatchKind.Prefix => text.StartsWith(UserPattern!, StringComparison.Ordinal),
            UserMatchKind.Contains => text.Contains(UserPattern!, StringComparison.Ordinal),
            _ => UserRegex!.IsMatch(text),
        };
    }

    /// <summary>What the engine follows for content (tool calls are scripted per call by the chat adapter).</summary>
    public Generation.TokenScript Script { get; } = new(Tokens, ContinueSynthetic);
}
