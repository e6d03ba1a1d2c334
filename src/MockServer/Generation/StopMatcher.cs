namespace MockServer.Generation;

/// <summary>
/// Finds stop strings in generated text as it grows, in time linear in the text whatever the stop strings' lengths
/// (one Knuth-Morris-Pratt automaton per string; matches may span tokens).
/// </summary>
internal sealed class StopMatcher
{
    private readonly IReadOnlyList<string> _stops;
    private readonly int[][] _failure;
    private readonly int[] _state;

    public StopMatcher(IReadOnlyList<string> stops)
    {
        _stops = stops;
        _failure = [.. stops.Select(Failure)];
        _state = new int[stops.Count];
    }

    /// <summary>
    /// The longest tail of the text fed so far that is a proper prefix of some stop string: only those characters
    /// can still become part of a match.
    /// </summary>
    public int LongestPartial
    {
        get
        {
            var longest = 0;
            foreach (var q in _state)
            {
                longest = Math.Max(longest, q);
            }

            return longest;
        }
    }

    /// <summary>
    /// Feeds the text a token appended at <paramref name="offset"/> of the whole text. Returns the stop string that
    /// starts earliest among those completed by this text, with its start, or null.
    /// </summary>
    public (string? Stop, int Start) Feed(string appended, int offset)
    {
        (string? Stop, int Start) best = (null, int.MaxValue);
        for (var c = 0; c < appended.Length; c++)
        {
            var ch = appended[c];
            for (var s = 0; s < _stops.Count; s++)
            {
                var stop = _stops[s];
                var q = _state[s];
                while (q > 0 && stop[q] != ch)
                {
                    q = _failure[s][q - 1];
                }

                if (stop[q] == ch)
                {
                    q++;
                }

                if (q == stop.Length)
                {
                    var start = offset + c - stop.Length + 1;
                    if (start < best.Start)
                    {
                        best = (stop, start);
                    }

                    q = _failure[s][q - 1];
                }

                _state[s] = q;
            }
        }

        return best.Stop is null ? (null, 0) : best;
    }

    private static int[] Failure(string pattern)
    {
        var failure = new int[pattern.Length];
        for (int i = 1, k = 0; i < pattern.Length; i++)
        {
            while (k > 0 && pattern[i] != pattern[k])
            {
                k = failure[k - 1];
            }

            if (pattern[i] == pattern[k])
            {
                k++;
            }

            failure[i] = k;
        }

        return failure;
    }
}
