namespace MockServer.Fixtures;

/// <summary>
/// The run-time fixtures of one scope (one session, or the global ones), in match precedence: the newest document
/// first, as a later source wins over an earlier one at start (<see cref="FixtureLoader.InPrecedence(IEnumerable{ValueTuple{int, int, CompletionFixture}})"/>);
/// within a document, the files' order (exact before prefix before regex, and so on).
/// </summary>
internal sealed class FixtureLayer
{
    private FixtureLayer(CompletionFixture[] completions, ChatFixture[] chats)
    {
        Completions = completions;
        Chats = chats;
    }

    public IReadOnlyList<CompletionFixture> Completions { get; }

    public IReadOnlyList<ChatFixture> Chats { get; }

    /// <summary>The layer of <paramref name="documents"/> (in the order they were added), or null when they hold nothing.</summary>
    public static FixtureLayer? Of(IEnumerable<AddedFixtures> documents)
    {
        var completions = new List<(int Rank, int Order, CompletionFixture Fixture)>();
        var chats = new List<(int Rank, int Order, ChatFixture Fixture)>();
        foreach (var doc in documents)
        {
            // The rank is the add order: newer documents first; Sequence never wraps within a server's life.
            var rank = (int)Math.Min(doc.Sequence, int.MaxValue);
            var (completionBase, chatBase) = (completions.Count, chats.Count);
            completions.AddRange(doc.CompletionFixtures.Select((c, i) => (rank, completionBase + i, c)));
            chats.AddRange(doc.ChatFixtures.Select((c, i) => (rank, chatBase + i, c)));
        }

        return completions.Count + chats.Count == 0
            ? null
            : new FixtureLayer([.. FixtureLoader.InPrecedence(completions)], [.. FixtureLoader.InPrecedence(chats)]);
    }
}
