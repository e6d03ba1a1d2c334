using System.Globalization;
using System.Text;
using MockServer.Chat;

namespace MockServer.Fixtures;

/// <summary>A fixture that did not answer a request, and every criterion of it the request failed, in words.</summary>
internal sealed record NearMiss(string Fixture, string Location, IReadOnlyList<string> Reasons)
{
    /// <summary>One line, as the journal and the strict-mode error show it.</summary>
    public override string ToString() => $"fixture '{Fixture}' ({Location}): {string.Join("; ", Reasons)}";
}

/// <summary>
/// Explains a request no fixture answered (issue 9, "Near misses are explained"): the closest fixtures of the kind asked
/// for, and each criterion that failed, with where two texts part. Runs only after matching failed, so the matching
/// path pays nothing; the criteria are those of <see cref="CompletionFixture.Matches"/>, <see cref="ChatFixture.Matches"/>
/// and <see cref="ChatScriptPlan.Usable"/> (a test checks they agree on which fixtures fail).
/// </summary>
internal static class NearMisses
{
    /// <summary>How many fixtures are named: enough to find the one meant, few enough to read in an error message.</summary>
    public const int Kept = 3;

    /// <summary>Characters shown either side of where two texts part.</summary>
    private const int Context = 16;

    /// <summary>Longest pattern (regex, contains) quoted in a reason.</summary>
    private const int MaxQuoted = 60;

    /// <summary>The closest completion fixtures to <paramref name="prompt"/>, best first (see <see cref="Rank{T}"/>).</summary>
    public static IReadOnlyList<NearMiss> ForCompletion(IReadOnlyList<CompletionFixture> fixtures, string modelId, string prompt) =>
        Rank(fixtures, f => Assess(f, modelId, prompt, null), f => Reasons(r => Assess(f, modelId, prompt, r)), f => (f.Name, f.Location));

    /// <summary>
    /// The closest chat fixtures to the conversation, best first. <paramref name="unusable"/> says why a fixture whose
    /// criteria hold may still not answer (<see cref="ChatScriptPlan.Unusable"/>), or null when it may.
    /// </summary>
    public static IReadOnlyList<NearMiss> ForChat(IReadOnlyList<ChatFixture> fixtures, string modelId, IReadOnlyList<ChatMessage> messages, Func<ChatFixture, string?>? unusable)
    {
        var lastUser = messages.LastOrDefault(m => m.Role == "user");
        var system = messages.FirstOrDefault(m => m.Role is "system" or "developer");
        var turn = messages.Count(m => m.Role == "user");
        return Rank(
            fixtures,
            f => Assess(f, modelId, lastUser, system, turn, unusable, null),
            f => Reasons(r => Assess(f, modelId, lastUser, system, turn, unusable, r)),
            f => (f.Name, f.Location));
    }

    /// <summary>
    /// Keeps the <see cref="Kept"/> closest fixtures that failed: fewest failed criteria first (a fixture wrong only in
    /// its model beats one wrong in model and prompt); then the longest agreement on the prompt or last user message (the
    /// common prefix, or all of it when that criterion holds), so a fixture for another model with this very prompt beats
    /// an unrelated prompt for this model; then one for this model (or any); then match precedence. Reasons are written
    /// only for the fixtures kept.
    /// </summary>
    private static List<NearMiss> Rank<T>(IReadOnlyList<T> fixtures, Func<T, Score> score, Func<T, List<string>> reasons, Func<T, (string Name, string Location)> id)
    {
        var scored = new List<(Score Score, int Index)>();
        for (var i = 0; i < fixtures.Count; i++)
        {
            var s = score(fixtures[i]);
            if (s.Failures > 0)
            {
                scored.Add((s, i));
            }
        }

        return
        [
            .. scored
                .OrderBy(c => c.Score.Failures)
                .ThenByDescending(c => c.Score.Agreement)
                .ThenBy(c => c.Score.ModelOk ? 0 : 1)
                .ThenBy(c => c.Index)
                .Take(Kept)
                .Select(c =>
                {
                    var (name, location) = id(fixtures[c.Index]);
                    return new NearMiss(name, location, reasons(fixtures[c.Index]));
                }),
        ];
    }

    private static List<string> Reasons(Func<List<string>, Score> assess)
    {
        var reasons = new List<string>();
        assess(reasons);
        return reasons;
    }

    /// <summary>How close a fixture came; with <paramref name="reasons"/> given, also says why it failed.</summary>
    private static Score Assess(CompletionFixture fixture, string modelId, string prompt, List<string>? reasons)
    {
        var failures = 0;
        var modelOk = ModelOk(fixture.Model, modelId, reasons, ref failures);
        int agreement;
        switch (fixture.Kind)
        {
            case PromptMatchKind.Exact:
                agreement = CommonPrefix(prompt, fixture.Pattern);
                if (!string.Equals(prompt, fixture.Pattern, StringComparison.Ordinal))
                {
                    failures++;
                    reasons?.Add($"prompt differs at character {Num(agreement)}{Ends(fixture.Pattern, prompt, agreement)}: fixture {Excerpt(fixture.Pattern, agreement)}, request {Excerpt(prompt, agreement)}");
                }

                break;
            case PromptMatchKind.Prefix:
                agreement = CommonPrefix(prompt, fixture.Pattern);
                if (agreement < fixture.Pattern.Length)
                {
                    failures++;
                    reasons?.Add($"prompt does not start with the fixture's prompt_prefix: they differ at character {Num(agreement)}{Ends(fixture.Pattern, prompt, agreement)}: prefix {Excerpt(fixture.Pattern, agreement)}, request {Excerpt(prompt, agreement)}");
                }

                break;
            default:
                var matched = fixture.Regex!.IsMatch(prompt);
                agreement = matched ? prompt.Length : 0;
                if (!matched)
                {
                    failures++;
                    reasons?.Add($"prompt does not match the fixture's prompt_regex {Quote(fixture.Pattern)}");
                }

                break;
        }

        return new Score(failures, agreement, modelOk);
    }

    private static Score Assess(ChatFixture fixture, string modelId, ChatMessage? lastUser, ChatMessage? system, int turn, Func<ChatFixture, string?>? unusable, List<string>? reasons)
    {
        var failures = 0;
        var modelOk = ModelOk(fixture.Model, modelId, reasons, ref failures);
        if (fixture.Turn is { } wanted && wanted != turn)
        {
            failures++;
            reasons?.Add($"turn differs: the fixture answers turn {Num(wanted)}, the conversation has {Num(turn)} user message{(turn == 1 ? "" : "s")}");
        }

        if (fixture.System is { } pinned && !string.Equals(pinned, system?.Content, StringComparison.Ordinal))
        {
            failures++;
            if (system?.Content is not { } actual)
            {
                reasons?.Add($"the fixture needs the system message {Quote(pinned)}, the conversation has {(system is null ? "none" : "one without text")}");
            }
            else
            {
                var at = CommonPrefix(actual, pinned);
                reasons?.Add($"system message differs at character {Num(at)}{Ends(pinned, actual, at)}: fixture {Excerpt(pinned, at)}, request {Excerpt(actual, at)}");
            }
        }

        var agreement = User(fixture, lastUser, reasons, ref failures);

        // Asked only of a fixture whose criteria all hold: the endpoint's usability rule reads the request, not the conversation.
        if (failures == 0 && unusable?.Invoke(fixture) is { } why)
        {
            failures++;
            reasons?.Add(why);
        }

        return new Score(failures, agreement, modelOk);
    }

    /// <summary>The user-message criterion: how much of the last user message agrees with the fixture's, and why not.</summary>
    private static int User(ChatFixture fixture, ChatMessage? lastUser, List<string>? reasons, ref int failures)
    {
        if (fixture.UserKind == UserMatchKind.Any)
        {
            return lastUser?.Content?.Length ?? 0;
        }

        if (lastUser is null)
        {
            failures++;
            reasons?.Add("the conversation has no user message to compare with the fixture's");
            return 0;
        }

        // As ChatFixture.Matches: a user message without text compares as empty text.
        var text = lastUser.Content ?? "";
        var pattern = fixture.UserPattern!;
        switch (fixture.UserKind)
        {
            case UserMatchKind.Exact:
            {
                var at = CommonPrefix(text, pattern);
                if (string.Equals(text, pattern, StringComparison.Ordinal))
                {
                    return at;
                }

                failures++;
                reasons?.Add($"last user message differs at character {Num(at)}{Ends(pattern, text, at)}: fixture {Excerpt(pattern, at)}, request {Excerpt(text, at)}");
                return at;
            }

            case UserMatchKind.Prefix:
            {
                var at = CommonPrefix(text, pattern);
                if (at == pattern.Length)
                {
                    return at;
                }

                failures++;
                reasons?.Add($"last user message does not start with the fixture's user_prefix: they differ at character {Num(at)}{Ends(pattern, text, at)}: prefix {Excerpt(pattern, at)}, request {Excerpt(text, at)}");
                return at;
            }

            case UserMatchKind.Contains:
                if (text.Contains(pattern, StringComparison.Ordinal))
                {
                    return text.Length;
                }

                failures++;
                reasons?.Add($"last user message does not contain the fixture's user_contains {Quote(pattern)}");
                return 0;
            default:
                if (fixture.UserRegex!.IsMatch(text))
                {
                    return text.Length;
                }

                failures++;
                reasons?.Add($"last user message does not match the fixture's user_regex {Quote(pattern)}");
                return 0;
        }
    }

    private static bool ModelOk(string? fixtureModel, string modelId, List<string>? reasons, ref int failures)
    {
        if (fixtureModel is null || string.Equals(fixtureModel, modelId, StringComparison.Ordinal))
        {
            return true;
        }

        failures++;
        reasons?.Add($"model differs: the fixture is for '{fixtureModel}', the request is for '{modelId}'");
        return false;
    }

    private static int CommonPrefix(string a, string b)
    {
        var n = Math.Min(a.Length, b.Length);
        var i = a.AsSpan(0, n).CommonPrefixLength(b.AsSpan(0, n));

        // Never split a surrogate pair: the excerpts would start or end with half a character.
        return i > 0 && i < n && char.IsHighSurrogate(a[i - 1]) ? i - 1 : i;
    }

    /// <summary>Says which text stops where they part, when one does (the other goes on).</summary>
    private static string Ends(string fixture, string request, int at) =>
        at == request.Length ? " (the request's ends there)" : at == fixture.Length ? " (the fixture's ends there)" : "";

    /// <summary>
    /// The text around <paramref name="at"/> (<see cref="Context"/> characters either side), quoted and escaped as a
    /// JSON string would be, with an ellipsis where it was cut: control characters and line breaks stay visible.
    /// </summary>
    internal static string Excerpt(string text, int at)
    {
        var start = Math.Max(0, at - Context);
        var end = Math.Min(text.Length, at + Context);
        if (start > 0 && char.IsLowSurrogate(text[start]))
        {
            start--;
        }

        if (end < text.Length && end > 0 && char.IsHighSurrogate(text[end - 1]))
        {
            end++;
        }

        return (start > 0 ? "…" : "") + Escaped(text.AsSpan(start, end - start)) + (end < text.Length ? "…" : "");
    }

    /// <summary>A pattern quoted and escaped, cut at <see cref="MaxQuoted"/> characters.</summary>
    private static string Quote(string text) =>
        text.Length <= MaxQuoted ? Escaped(text) : Escaped(text.AsSpan(0, MaxQuoted)) + "…";

    private static string Escaped(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length + 2).Append('"');
        foreach (var c in text)
        {
            _ = c switch
            {
                '"' => sb.Append("\\\""),
                '\\' => sb.Append("\\\\"),
                '\n' => sb.Append("\\n"),
                '\r' => sb.Append("\\r"),
                '\t' => sb.Append("\\t"),
                _ when char.IsControl(c) => sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)),
                _ => sb.Append(c),
            };
        }

        return sb.Append('"').ToString();
    }

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);

    /// <summary>How close a fixture came: criteria failed, characters of the prompt or user message agreeing, whether the model fits.</summary>
    private readonly record struct Score(int Failures, int Agreement, bool ModelOk);
}
