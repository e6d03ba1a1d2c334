using MockServer.Generation;

namespace MockServer.Wire;

/// <summary>The visible text of one streamed frame and the generated tokens (index range) it stands for.</summary>
internal readonly record struct FrameGroup(string Text, int From, int To);

/// <summary>
/// How a choice's tokens become stream frames, for completions and chat alike (spec-facts §4.3, §5): each token
/// with visible text opens a frame; a token that shows nothing (end-of-text, one a stop string swallowed) joins the
/// frame before it, or at the very start the next one. A choice with no visible text at all gives no group.
/// </summary>
internal static class FrameGroups
{
    /// <summary>
    /// Several choices' frames as one stream, round-robin as vLLM interleaves choices (spec-facts §4.5): round r takes
    /// frame r of every choice that still has one, so each choice keeps its own order and ends with its own finish.
    /// </summary>
    /// Each choice's frames are pulled as the stream needs them, so no choice is generated ahead of the stream.
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

    public static List<FrameGroup> Of(ChoiceResult choice) => Of(choice, 0, choice.Tokens.Count);

    /// <summary>The groups of the tokens in [<paramref name="from"/>, <paramref name="to"/>) (a tool call's share of a choice).</summary>
    public static List<FrameGroup> Of(ChoiceResult choice, int from, int to)
    {
        var groups = new List<FrameGroup>(to - from);
        var index = 0;
        foreach (var (_, visible) in choice.VisibleTokens())
        {
            if (index >= to)
            {
                break;
            }

            if (index >= from)
            {
                if (visible.Length > 0)
                {
                    groups.Add(new FrameGroup(visible, groups.Count == 0 ? from : index, index + 1));
                }
                else if (groups.Count > 0)
                {
                    groups[^1] = groups[^1] with { To = index + 1 };
                }
            }

            index++;
        }

        return groups;
    }
}
