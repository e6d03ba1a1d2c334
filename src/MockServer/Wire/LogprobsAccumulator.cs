using System.Globalization;
using MockServer.Generation;
using MockServer.Tokenization;

namespace MockServer.Wire;

/// <summary>
/// Builds the four logprobs arrays for one choice, across one or many chunks. <c>text_offset</c> is the running
/// sum of token lengths in Unicode code points, as vLLM computes it with Python's <c>len</c> (spec-facts L5); it
/// carries over from chunk to chunk, so a streamed choice's offsets equal the non-streamed ones.
/// </summary>
internal sealed class LogprobsAccumulator(int k) : ICompletionLogprobs
{
    private readonly List<int> _offsets = [];
    private readonly List<string> _tokens = [];
    private readonly List<double?> _logprobs = [];
    private readonly List<Dictionary<string, double>?> _top = [];
    private int _offset;

    /// <summary>An echoed prompt position; the first has no context, so its logprob and alternatives are null (spec-facts L7).</summary>
    public void AddPrompt(Token token, PromptPosition? position)
    {
        Append(token.Text, position?.Logprob, position is null ? null : TopOf(position.Top, token.Text, position.Logprob));
    }

    public void AddGenerated(GeneratedToken token) =>
        Append(token.Token.Text, token.Logprob, TopOf(token.Top ?? [], token.Token.Text, token.Logprob));

    object ICompletionLogprobs.Take() => Take();

    /// <summary>Returns what was added since the last call.</summary>
    public Logprobs Take()
    {
        var result = new Logprobs
        {
            TextOffset = [.. _offsets],
            Tokens = [.. _tokens],
            TokenLogprobs = [.. _logprobs],
            TopLogprobs = [.. _top],
        };
        _offsets.Clear();
        _tokens.Clear();
        _logprobs.Clear();
        _top.Clear();
        return result;
    }

    private void Append(string text, double? logprob, Dictionary<string, double>? top)
    {
        _offsets.Add(_offset);
        _tokens.Add(text);
        _logprobs.Add(logprob);
        _top.Add(top);
        _offset += CodePoints(text);
    }

    /// <summary>The k most likely tokens, most likely first, plus the sampled one when it is not among them (k+1).</summary>
    private Dictionary<string, double> TopOf(IReadOnlyList<Alternative> ranked, string sampled, double sampledLogprob)
    {
        var top = new Dictionary<string, double>(k + 1, StringComparer.Ordinal);
        for (var i = 0; i < ranked.Count && i < k; i++)
        {
            top.TryAdd(ranked[i].Token.Text, ranked[i].Logprob); // two ids may decode alike: first (likelier) wins
        }

        top.TryAdd(sampled, sampledLogprob);
        return top;
    }

    internal static int CodePoints(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }

        return count;
    }

    /// <summary>vLLM's <c>prompt_logprobs</c>: null first, then per position the actual token and the top k, keyed by token id.</summary>
    public static List<Dictionary<string, PromptLogprob>?> PromptLogprobs(ScoredPrompt prompt, int k)
    {
        var result = new List<Dictionary<string, PromptLogprob>?>(prompt.Input.Tokens.Count);
        for (var i = 0; i < prompt.Input.Tokens.Count; i++)
        {
            if (prompt.Positions?[i] is not { } position)
            {
                result.Add(null);
                continue;
            }

            var actual = prompt.Input.Tokens[i];
            var entry = new Dictionary<string, PromptLogprob>(k + 1, StringComparer.Ordinal)
            {
                [actual.Id.ToString(CultureInfo.InvariantCulture)] = new() { Logprob = position.Logprob, Rank = position.Rank, DecodedToken = actual.Text },
            };
            for (var r = 0; r < k && r < position.Top.Count; r++)
            {
                var alt = position.Top[r];
                entry.TryAdd(alt.Token.Id.ToString(CultureInfo.InvariantCulture), new() { Logprob = alt.Logprob, Rank = r + 1, DecodedToken = alt.Token.Text });
            }

            result.Add(entry);
        }

        return result;
    }
}
