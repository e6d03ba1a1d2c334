using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Conformance.Checks;

/// <summary>
/// How the answer to a boolean compares with the answer to its numeric equivalent (<c>validation.boolean.*</c>,
/// docs/conformance.md "Booleans: a refusal must be about the type").
/// </summary>
internal static partial class BooleanAnswers
{
    /// <summary>A second number, sent only to learn where a message shows the value (see <see cref="ShowsValue"/>).</summary>
    public const int OtherNumber = -7;

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>What the two refusals (same status) show.</summary>
    internal enum Likeness
    {
        /// <summary>The message, code or param differ: the server told the boolean from the number.</summary>
        Different,

        /// <summary>The same refusal, and the boolean's message shows the literal where the number's shows the number.</summary>
        Coerced,

        /// <summary>The same refusal, and both messages show the number at the same place: a value, or a constant such as a bound.</summary>
        ShowsNumber,

        /// <summary>The same refusal with nothing in it that depends on the value: no evidence either way.</summary>
        Indistinct,
    }

    /// <summary>
    /// Compares two <c>error</c> objects; messages are compared without per-request tokens (the learned
    /// <paramref name="stamps"/>, else the known shapes) and with the value normalised.
    /// </summary>
    public static Likeness Compare(JsonNode? boolean, JsonNode? number, string literal, int digit, RequestStamps? stamps = null)
    {
        if (!JsonNode.DeepEquals(boolean?["code"], number?["code"]) || !JsonNode.DeepEquals(boolean?["param"], number?["param"]))
        {
            return Likeness.Different;
        }

        var (m1, m2) = (Json.Str(boolean?["message"]), Json.Str(number?["message"]));
        if (m1 is null || m2 is null)
        {
            return m1 is null && m2 is null ? Likeness.Indistinct : Likeness.Different;
        }

        var value = ValuePattern(literal, digit);
        var (s1, s2) = (Unstamped(m1, stamps), Unstamped(m2, stamps));
        if (value.Replace(s1, "<value>") != value.Replace(s2, "<value>"))
        {
            return Likeness.Different;
        }

        // Equal once normalised, so the values sit at the same places in both messages: compare them pairwise.
        var (v1, v2) = (value.Matches(s1), value.Matches(s2));
        var result = Likeness.Indistinct;
        for (var i = 0; i < Math.Min(v1.Count, v2.Count); i++)
        {
            if (!char.IsDigit(v2[i].Value[0]))
            {
                continue; // the number's message shows a literal: a constant, not its value
            }

            if (!char.IsDigit(v1[i].Value[0]))
            {
                return Likeness.Coerced;
            }

            result = Likeness.ShowsNumber;
        }

        return result;
    }

    /// <summary>
    /// Whether the message to <see cref="OtherNumber"/> is the number's message with <see cref="OtherNumber"/> where the
    /// number's message shows the number: then that place shows the value the server read, and a boolean's message
    /// that shows the number there was read as the number (llama.cpp's "but got 0" for <c>n: false</c>, spec-facts §12.1).
    /// </summary>
    public static bool ShowsValue(JsonNode? number, JsonNode? other, int digit, RequestStamps? stamps = null)
    {
        if (Json.Str(number?["message"]) is not { } m2 || Json.Str(other?["message"]) is not { } m3)
        {
            return false;
        }

        var (s2, s3) = (Unstamped(m2, stamps), Unstamped(m3, stamps));
        var otherValue = new Regex($@"(?<![\w.]){OtherNumber}(\.0+)?(?!\w|\.\d)", RegexOptions.CultureInvariant, Timeout);
        if (!otherValue.IsMatch(s3))
        {
            return false;
        }

        var digitValue = new Regex($@"(?<![\w.]){digit}(\.0+)?(?!\w|\.\d)", RegexOptions.CultureInvariant, Timeout);
        return digitValue.Replace(otherValue.Replace(s3, "<value>"), "<value>") == digitValue.Replace(s2, "<value>");
    }

    /// <summary>
    /// The message without tokens that change with every request (an ISO timestamp, a UUID, a prefixed request id such as
    /// <c>req_abc123</c>, a run of 16 or more hex digits), so two answers of a server that stamps its messages compare.
    /// </summary>
    public static string WithoutRequestTokens(string message) => RequestToken().Replace(message, "<token>");

    /// <summary>The message without its per-request tokens: the learned stamps when there are any, else the known shapes.</summary>
    private static string Unstamped(string message, RequestStamps? stamps) => stamps?.Mask(message) ?? WithoutRequestTokens(message);

    /// <summary>The boolean literal (any case) or the number (<c>0</c>, <c>0.0</c>); a sentence's final period ends the value.</summary>
    private static Regex ValuePattern(string literal, int digit) =>
        new($@"(?<![\w.])({literal}|{digit}(\.0+)?)(?!\w|\.\d)", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase, Timeout);

    [GeneratedRegex(
        @"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?"
        + @"|\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b"
        + @"|\b(req|request|trace|span|msg|err|id)[-_][a-z0-9][a-z0-9_-]{5,}"
        + @"|\b[0-9a-f]{16,}\b",
        RegexOptions.CultureInvariant | RegexOptions.IgnoreCase | RegexOptions.NonBacktracking)]
    private static partial Regex RequestToken();
}
