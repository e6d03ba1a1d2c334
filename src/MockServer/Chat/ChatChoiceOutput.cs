using System.Globalization;
using MockServer.Generation;
using MockServer.Tokenization;

namespace MockServer.Chat;

/// <summary>One tool call of a choice: its id, function, arguments as generated, and its tokens [From, To).</summary>
internal sealed record ChatToolCallOutput(string Id, string Name, string Arguments, int From, int To);

/// <summary>
/// A generated choice read as an assistant turn: content, or tool calls whose arguments are consecutive slices of
/// the generated tokens. Streamed and non-streamed responses are both written from this, so they agree.
/// </summary>
internal sealed class ChatChoiceOutput
{
    private ChatChoiceOutput(ChoiceResult result, string finishReason, IReadOnlyList<ChatToolCallOutput> toolCalls, bool[] shown)
    {
        Result = result;
        FinishReason = finishReason;
        ToolCalls = toolCalls;
        Shown = shown;
    }

    public ChoiceResult Result { get; }

    /// <summary>stop, length, or tool_calls (a script of calls that ended normally; only OpenAI's values: typed clients throw on others, spec-facts §5 notes).</summary>
    public string FinishReason { get; }

    public IReadOnlyList<ChatToolCallOutput> ToolCalls { get; }

    /// <summary>Per generated token: whether it shows in the text (end-of-text and a token a stop string swallowed do not).</summary>
    public bool[] Shown { get; }

    public bool IsToolCall => ToolCalls.Count > 0;

    /// <summary>The message content; null for a turn of tool calls only.</summary>
    public string? Content => IsToolCall ? null : Result.Text;

    /// <summary>A call's id: from the request's seed bits, the choice and the call, so the same seed gives the same ids.</summary>
    public static string CallId(ulong seedBits, int choice, int call) =>
        string.Create(CultureInfo.InvariantCulture, $"call_{Mix.Hash(seedBits, (ulong)choice, (ulong)call):x16}");

    public static ChatChoiceOutput From(ChoiceResult result, ChatScriptPlan plan, ulong seedBits)
    {
        var shown = new bool[result.Tokens.Count];
        var visible = new string[result.Tokens.Count];
        var i = 0;
        foreach (var (token, text) in result.VisibleTokens())
        {
            shown[i] = text.Length > 0 && token.Token.Id != Vocabulary.EndOfTextId;
            visible[i++] = text;
        }

        if (plan.Calls.Count == 0)
        {
            return new ChatChoiceOutput(result, result.FinishReason, [], shown);
        }

        // Calls cut off by max_tokens before their first token are not made; the last call made also owns the
        // tokens after its arguments (end-of-text), so no token belongs to nothing.
        var ranges = new List<(PlannedCall Call, int From, int To)>(plan.Calls.Count);
        var start = 0;
        foreach (var call in plan.Calls)
        {
            if (ranges.Count > 0 && start >= result.Tokens.Count)
            {
                break;
            }

            ranges.Add((call, start, Math.Min(start + call.TokenCount, result.Tokens.Count)));
            start += call.TokenCount;
        }

        ranges[^1] = ranges[^1] with { To = result.Tokens.Count };
        var calls = new List<ChatToolCallOutput>(ranges.Count);
        for (var c = 0; c < ranges.Count; c++)
        {
            var (call, from, to) = ranges[c];
            calls.Add(new ChatToolCallOutput(CallId(seedBits, result.Index, c), call.Name, string.Concat(visible[from..to]), from, to));
        }

        // tool_calls only when the script ran to its end: cut by max_tokens is length, cut by a stop string is stop
        // (the arguments are then incomplete, and a client must not run them).
        var finish = result.FinishReason == "length" ? "length" : result.StopReason is not null ? "stop" : "tool_calls";
        return new ChatChoiceOutput(result, finish, calls, shown);
    }
}
