namespace MockServer.Fixtures;

/// <summary>
/// One fixture document added while the server runs (<see cref="RuntimeFixtures.Add(string, string?)"/> or
/// <c>POST /admin/fixtures</c>): its id, its session, and the names of the fixtures it holds. Disposing it removes them,
/// so <c>using var _ = server.Fixtures.Add(json, session);</c> scopes them to a test.
/// </summary>
public sealed class AddedFixtures : IDisposable
{
    private readonly RuntimeFixtures _owner;

    internal AddedFixtures(RuntimeFixtures owner, string id, long sequence, string? session, IReadOnlyList<CompletionFixture> completions, IReadOnlyList<ChatFixture> chats)
    {
        _owner = owner;
        Id = id;
        Sequence = sequence;
        Session = session;
        CompletionFixtures = completions;
        ChatFixtures = chats;
    }

    /// <summary>The id that removes the document (<see cref="RuntimeFixtures.Remove(string)"/>, <c>DELETE /admin/fixtures/{id}</c>).</summary>
    public string Id { get; }

    /// <summary>The <c>X-Mock-Session</c> whose requests alone see these fixtures, or null when every request does.</summary>
    public string? Session { get; }

    /// <summary>The completion fixtures' names, in document order (a fixture without <c>name</c> is called by its place, <c>fx-1.completions[0]</c>).</summary>
    public IReadOnlyList<string> Completions => [.. CompletionFixtures.Select(f => f.Name)];

    /// <summary>The chat fixtures' names, in document order.</summary>
    public IReadOnlyList<string> Chat => [.. ChatFixtures.Select(f => f.Name)];

    /// <summary>The order the documents were added in: later ones take precedence within their scope.</summary>
    internal long Sequence { get; }

    internal IReadOnlyList<CompletionFixture> CompletionFixtures { get; }

    internal IReadOnlyList<ChatFixture> ChatFixtures { get; }

    /// <summary>Removes these fixtures; nothing happens when they are gone already.</summary>
    public void Dispose() => _owner.Remove(this); // this very document: ids restart at fx-1 after a reset
}
