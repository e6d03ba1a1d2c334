namespace MockServer.Wire;

/// <summary>How the frames of several choices share one stream, for completions and chat alike.</summary>
internal static class ChoiceInterleaving
{
    /// <summary>
    /// Several choices' frames as one stream, round-robin as vLLM interleaves choices (spec-facts §4.5): round r takes
    /// frame r of every choice that still has one, so each choice keeps its own order and ends with its own finish.
    /// Each choice's frames are pulled as the stream needs them, so no choice is generated ahead of the stream.
    /// </summary>
    public static IEnumerable<T> RoundRobin<T>(IReadOnlyList<IEnumerable<T>> perChoice)
    {
        var active = perChoice.Select(f => f.GetEnumerator()).ToList();
        try
        {
            while (active.Count > 0)
            {
                for (var i = 0; i < active.Count;)
                {
                    if (active[i].MoveNext())
                    {
                        yield return active[i++].Current;
                    }
                    else
                    {
                        active[i].Dispose();
                        active.RemoveAt(i);
                    }
                }
            }
        }
        finally
        {
            active.ForEach(e => e.Dispose());
        }
    }
}
