namespace MockServer.Journal;

/// <summary>
/// The most recent requests, newest kept (issue 9): bounded by <see cref="Capacity"/>, so a long test run holds a
/// fixed amount. Read and cleared in process (<c>server.Journal</c>) and at <c>/admin/journal</c>.
/// </summary>
public sealed class RequestJournal
{
    /// <summary>Longest body kept per entry, in characters.</summary>
    public const int MaxBodyChars = 64 * 1024;

    /// <summary>
    /// Most body characters kept over all entries (8 Mi, about 16 MB): the oldest entries go first when a run of large
    /// requests would exceed it, so the journal's memory stays bounded whatever the bodies (1000 bodies of 64 Ki
    /// characters would otherwise hold about 128 MB).
    /// </summary>
    public const long MaxTotalBodyChars = 8L * 1024 * 1024;

    /// <summary>The request header that scopes journal entries (and, later, run-time fixtures) to one test.</summary>
    public const string SessionHeader = "X-Mock-Session";

    private readonly Lock _gate = new();
    private readonly LinkedList<JournalRecord> _entries = new();
    private long _bodyChars; // the kept entries' body sizes (bytes as received), bounded by MaxTotalBodyChars
    private long _sequence;
    private TaskCompletionSource? _added; // made only while someone waits (WaitForAsync): no cost per request otherwise

    internal RequestJournal(int capacity) => Capacity = capacity;

    /// <summary>How many entries are kept; 0 turns the journal off.</summary>
    public int Capacity { get; }

    /// <summary>The entries the filter matches, oldest first.</summary>
    public IReadOnlyList<JournalEntry> Entries(JournalFilter? filter = null)
    {
        filter ??= JournalFilter.All;
        lock (_gate)
        {
            return [.. _entries.Select(r => r.Entry).Where(filter.Matches)];
        }
    }

    /// <summary>
    /// The entries the filter matches, once there are at least <paramref name="count"/>. An entry is added when its
    /// request's handling ends, which can be just after the client has read the whole answer, so a test that asserts
    /// on the journal right after its request awaits this rather than reading <see cref="Entries"/> at once.
    /// </summary>
    public async Task<IReadOnlyList<JournalEntry>> WaitForAsync(int count, JournalFilter? filter = null, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            Task added;
            lock (_gate)
            {
                _added ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                added = _added.Task; // taken before the count, so an entry added in between is not missed
            }

            var entries = Entries(filter);
            if (entries.Count >= count)
            {
                return entries;
            }

            await added.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the entries the filter matches; returns how many.</summary>
    public int Clear(JournalFilter? filter = null)
    {
        filter ??= JournalFilter.All;
        lock (_gate)
        {
            var removed = 0;
            for (var node = _entries.First; node is not null;)
            {
                var next = node.Next;
                if (filter.Matches(node.Value.Entry))
                {
                    _bodyChars -= node.Value.BodyLength;
                    _entries.Remove(node);
                    removed++;
                }

                node = next;
            }

            return removed;
        }
    }

    /// <summary>
    /// Verdicts on the client from the entries the filter matches (issue 9, "Client verification"); retries are looked
    /// for among all entries, so a filter on status still sees the request that retried a 429.
    /// </summary>
    public ClientReport Verify(JournalFilter? filter = null) => ClientVerification.Verify(Entries(), filter);

    /// <summary>The next sequence number (taken when a request arrives, so entries keep arrival order).</summary>
    internal long NextSequence() => Interlocked.Increment(ref _sequence);

    internal void Add(JournalEntry entry) => Add(new JournalRecord(entry));

    internal void Add(JournalRecord entry)
    {
        if (Capacity == 0)
        {
            return;
        }

        TaskCompletionSource? added;
        lock (_gate)
        {
            (added, _added) = (_added, null);

            // Inserted by sequence: a long stream finishes after requests that came later.
            var node = _entries.Last;
            while (node is not null && node.Value.Sequence > entry.Sequence)
            {
                node = node.Previous;
            }

            if (node is null)
            {
                _entries.AddFirst(entry);
            }
            else
            {
                _entries.AddAfter(node, entry);
            }

            _bodyChars += entry.BodyLength;
            while (_entries.Count > Capacity || (_bodyChars > MaxTotalBodyChars && _entries.Count > 1))
            {
                _bodyChars -= _entries.First!.Value.BodyLength;
                _entries.RemoveFirst();
            }
        }

        added?.SetResult();
    }
}
