using MockServer.Journal;

namespace MockServer.Fixtures;

/// <summary>
/// Fixtures added and removed while the server runs (issue 9), in process (<c>server.Fixtures</c>) and at
/// <c>/admin/fixtures</c>: documents in the files' schema (<c>schemas/fixture.schema.json</c>), validated by the same
/// loader, each added whole or not at all. A document added with a session is seen only by requests whose
/// <c>X-Mock-Session</c> header names it; one added without is seen by every request; the files' fixtures come last
/// (<see cref="FixtureScope"/>).
/// </summary>
/// <remarks>
/// A run-time document holds <c>completions</c> and <c>chat</c> fixtures, for models the server already serves; it
/// cannot declare <c>models</c>. The catalog (<c>/v1/models</c>), cold starts, budgets and the behaviour file's per-model
/// rules are fixed at start and shared by every session: a model added by one test would be listed to all of them, and
/// its removal would pull a model from under another test's stream.
/// Thread safety: every change builds a new immutable snapshot under a lock and publishes it with one write; a request
/// reads the snapshot once, so matching takes no lock, and while no run-time fixture exists it reads one field and
/// allocates nothing.
/// </remarks>
public sealed class RuntimeFixtures
{
    /// <summary>
    /// How many run-time documents the server holds at once, every session's counted: each add rebuilds its scope's
    /// layer and the snapshot of scopes, so an unbounded store would let a leaking test (or client) slow every add and
    /// grow the server's memory without end. A test suite that clears its session's fixtures stays far below it.
    /// </summary>
    public const int MaxDocuments = 10_000;

    /// <summary>Where run-time models would have to be declared, for the model check's message.</summary>
    private const string WhereModels = "in the server's fixture files (a run-time document cannot declare models)";

    private readonly FixtureSet _files;
    private readonly Dictionary<string, ModelDefinition> _models;
    private readonly Lock _gate = new(); // serializes changes (FixtureLoader serializes the shared schema validator)
    private Snapshot _snapshot;
    private long _added;

    /// <summary>The bound <see cref="Add(string, string?)"/> enforces: <see cref="MaxDocuments"/>, lowered by tests.</summary>
    internal int Limit { get; set; } = MaxDocuments;

    internal RuntimeFixtures(FixtureSet files)
    {
        _files = files;
        _models = files.Models.ToDictionary(m => m.Id, StringComparer.Ordinal);
        _snapshot = Snapshot.Empty(files);
    }

    /// <summary>
    /// Adds a fixture document (<c>completions</c> and <c>chat</c>, as in a fixture file), for the requests of
    /// <paramref name="session"/> only, or for every request when it is null. Newer documents take precedence within
    /// their scope.
    /// </summary>
    /// <param name="json">The document, following <c>schemas/fixture.schema.json</c> (comments and trailing commas allowed, as in files).</param>
    /// <param name="session">The <c>X-Mock-Session</c> header value whose requests see these fixtures, or null for all requests.</param>
    /// <returns>The added document: its id, and a handle whose disposal removes it.</returns>
    /// <exception cref="FixtureLoadException">The document is invalid (the message names the JSON path and line); nothing was added.</exception>
    /// <exception cref="FixtureLimitException">The server already holds <see cref="MaxDocuments"/> run-time documents; nothing was added.</exception>
    public AddedFixtures Add(string json, string? session = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (session is { Length: 0 })
        {
            throw new ArgumentException("A session is a non-empty X-Mock-Session value, or null for fixtures every request sees.", nameof(session));
        }

        lock (_gate)
        {
            if (_snapshot.Documents.Length >= Limit)
            {
                throw new FixtureLimitException(
                    $"The server holds {_snapshot.Documents.Length} run-time fixture documents, its limit; remove some (dispose their handles, Remove, Clear, or DELETE /admin/fixtures) before adding more.");
            }

            // The id is taken only when the document is added, so ids run without gaps; a refused document's message
            // calls it by the id it would have had.
            var sequence = _added + 1;
            var id = $"fx-{sequence}";
            var content = Read(new FixtureDocument(id, json));
            _added = sequence;
            var added = new AddedFixtures(this, id, sequence, session, content.Completions, content.Chats);
            Publish([.. _snapshot.Documents, added], session is null ? null : [session], global: session is null);
            return added;
        }
    }

    /// <summary>Adds <paramref name="document"/>'s fixtures (e.g. <see cref="FixtureDocument.Completion"/>), as <see cref="Add(string, string?)"/> does; the document's name is not used.</summary>
    public AddedFixtures Add(FixtureDocument document, string? session = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        return Add(document.Json, session);
    }

    /// <summary>Removes the document <paramref name="id"/>: false when there is none.</summary>
    public bool Remove(string id) => Remove(id, null, anySession: true);

    /// <summary>
    /// Removes every run-time document of <paramref name="session"/>, or every run-time document of every session and the
    /// global ones when it is null. The files' fixtures stay. Returns how many documents were removed.
    /// </summary>
    public int Clear(string? session = null)
    {
        lock (_gate)
        {
            var removed = _snapshot.Documents.Where(d => session is null || d.Session == session).ToList();
            if (removed.Count > 0)
            {
                Publish(
                    [.. _snapshot.Documents.Where(d => !(session is null || d.Session == session))],
                    session is null ? [.. removed.Select(d => d.Session).OfType<string>().Distinct()] : [session],
                    global: session is null);
            }

            return removed.Count;
        }
    }

    /// <summary>
    /// <see cref="Clear"/> of every document, and ids start again at <c>fx-1</c> (<see cref="MockServer.Hosting.MockLlmServer.Reset"/>):
    /// a test's ids do not depend on the tests before it. A handle of an earlier test removes only its own document
    /// (<see cref="Remove(AddedFixtures)"/>), never a newer one that has its old id.
    /// </summary>
    internal void Restart()
    {
        lock (_gate)
        {
            Clear();
            _added = 0;
        }
    }

    /// <summary>Removes exactly <paramref name="doc"/>, when it is still held (a handle's disposal).</summary>
    internal bool Remove(AddedFixtures doc)
    {
        lock (_gate)
        {
            if (!_snapshot.Documents.Contains(doc))
            {
                return false;
            }

            Publish([.. _snapshot.Documents.Where(d => d != doc)], doc.Session is null ? null : [doc.Session], global: doc.Session is null);
            return true;
        }
    }

    /// <summary>The run-time documents, oldest first: those of <paramref name="session"/>, or all of them when it is null.</summary>
    public IReadOnlyList<AddedFixtures> List(string? session = null) =>
        [.. Volatile.Read(ref _snapshot).Documents.Where(d => session is null || d.Session == session)];

    /// <summary>
    /// Removes the document <paramref name="id"/>; with <paramref name="anySession"/> false only when it belongs to
    /// <paramref name="session"/> (a session's client must not remove another session's fixtures, nor the global ones).
    /// </summary>
    internal bool Remove(string id, string? session, bool anySession)
    {
        ArgumentNullException.ThrowIfNull(id);
        lock (_gate)
        {
            var doc = _snapshot.Documents.FirstOrDefault(d => d.Id == id);
            if (doc is null || (!anySession && doc.Session != session))
            {
                return false;
            }

            Publish([.. _snapshot.Documents.Where(d => d != doc)], doc.Session is null ? null : [doc.Session], global: doc.Session is null);
            return true;
        }
    }

    /// <summary>
    /// The fixtures a request sees, by its <c>X-Mock-Session</c> header (read as the journal reads it). The hot path:
    /// while no run-time fixture exists, one field read and no header lookup.
    /// </summary>
    internal FixtureScope ScopeFor(HttpContext context)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        if (snapshot.Documents.Length == 0)
        {
            return snapshot.Global;
        }

        var header = context.Request.Headers[RequestJournal.SessionHeader];
        return header.Count > 0 && snapshot.Sessions.TryGetValue(header.ToString(), out var scope) ? scope : snapshot.Global;
    }

    private DocumentContent Read(FixtureDocument doc)
    {
        var content = FixtureLoader.Read(doc, allowModels: false);
        if (content.Completions.Count + content.Chats.Count == 0)
        {
            throw FixtureLoader.At(doc.Name, content.Text, "$", "the document holds no fixtures; give \"completions\" or \"chat\" with at least one fixture");
        }

        FixtureLoader.CheckModels(content.Completions, content.Chats, _models, new Dictionary<string, string> { [doc.Name] = content.Text }, WhereModels);
        return content;
    }

    /// <summary>
    /// Publishes the documents as the new snapshot, rebuilding the layers of the sessions named in <paramref name="changed"/>
    /// (and the global layer when <paramref name="global"/>); the other sessions' layers are kept. Called under the lock.
    /// </summary>
    private void Publish(AddedFixtures[] documents, IReadOnlyCollection<string>? changed, bool global)
    {
        var old = _snapshot;
        var globalLayer = global ? FixtureLayer.Of(documents.Where(d => d.Session is null)) : old.GlobalLayer;
        var layers = new Dictionary<string, FixtureLayer>(old.Layers, StringComparer.Ordinal);
        foreach (var session in changed ?? [])
        {
            if (FixtureLayer.Of(documents.Where(d => d.Session == session)) is { } layer)
            {
                layers[session] = layer;
            }
            else
            {
                layers.Remove(session);
            }
        }

        Volatile.Write(ref _snapshot, new Snapshot(_files, documents, globalLayer, layers));
    }

    /// <summary>One immutable state: the documents in add order, each session's layer, and the scopes requests read.</summary>
    private sealed class Snapshot
    {
        public Snapshot(FixtureSet files, AddedFixtures[] documents, FixtureLayer? global, Dictionary<string, FixtureLayer> layers)
        {
            Documents = documents;
            GlobalLayer = global;
            Layers = layers;
            Global = new FixtureScope(files, null, global);
            Sessions = layers.ToDictionary(l => l.Key, l => new FixtureScope(files, l.Value, global), StringComparer.Ordinal);
        }

        public AddedFixtures[] Documents { get; }

        public FixtureLayer? GlobalLayer { get; }

        public Dictionary<string, FixtureLayer> Layers { get; }

        /// <summary>What a request without a session, or of a session with no fixtures of its own, sees.</summary>
        public FixtureScope Global { get; }

        public Dictionary<string, FixtureScope> Sessions { get; }

        public static Snapshot Empty(FixtureSet files) => new(files, [], null, new Dictionary<string, FixtureLayer>(StringComparer.Ordinal));
    }
}
