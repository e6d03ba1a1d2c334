using System.Text.RegularExpressions;

namespace Conformance.Checks;

/// <summary>
/// The places in an error message that change with every request (a counter, a Unix time, a short hex id, whatever its
/// shape), learned from two answers to the same body rather than guessed from known shapes: the message is cut into runs
/// of letters and digits and runs of other characters, and the runs that differ between the two answers are the stamps.
/// Used by <c>validation.boolean.*</c> (docs/conformance.md, "Booleans: a refusal must be about the type").
/// </summary>
internal sealed partial class RequestStamps
{
    private readonly string[] _reference;
    private readonly bool[] _stamp;

    private RequestStamps(string[] reference, bool[] stamp) => (_reference, _stamp) = (reference, stamp);

    /// <summary>
    /// The stamps of two answers to the same body, or null when their messages have different token counts (the places
    /// cannot be lined up; the shape-based <see cref="BooleanAnswers.WithoutRequestTokens"/> is the fallback).
    /// </summary>
    public static RequestStamps? Learn(string first, string second)
    {
        var (a, b) = (Tokens(first), Tokens(second));
        if (a.Length != b.Length)
        {
            return null;
        }

        return new RequestStamps(a, [.. a.Select((t, i) => !string.Equals(t, b[i], StringComparison.Ordinal))]);
    }

    /// <summary>
    /// <paramref name="message"/> with its stamps replaced by <c>&lt;token&gt;</c>. A message of the same token count is
    /// masked at the same places; one of another count (a value written longer, <c>False</c> against <c>0.0</c>) is lined
    /// up by the tokens before the stamp, else by those after it, so a stamp is found at the start or at the end.
    /// </summary>
    public string Mask(string message)
    {
        var tokens = Tokens(message);
        var (n, m) = (_reference.Length, tokens.Length);
        for (var d = 0; d < n; d++)
        {
            if (!_stamp[d])
            {
                continue;
            }

            if (m == n || (d < m && Matches(tokens, 0, 0, d)))
            {
                tokens[d] = "<token>";
            }
            else if (m - n + d >= 0 && Matches(tokens, m - n + d + 1, d + 1, n - d - 1))
            {
                tokens[m - n + d] = "<token>";
            }
        }

        return string.Concat(tokens);
    }

    /// <summary>Whether <paramref name="count"/> tokens from <paramref name="at"/> equal the reference's from <paramref name="from"/>, stamps aside.</summary>
    private bool Matches(string[] tokens, int at, int from, int count)
    {
        for (var k = 0; k < count; k++)
        {
            if (!_stamp[from + k] && !string.Equals(tokens[at + k], _reference[from + k], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private static string[] Tokens(string message) => [.. Token().Matches(message).Select(t => t.Value)];

    [GeneratedRegex(@"[\p{L}\p{N}]+|[^\p{L}\p{N}]+", RegexOptions.CultureInvariant)]
    private static partial Regex Token();
}
