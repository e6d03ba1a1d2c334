namespace MockServer.Journal;

/// <summary>
/// The most recent requests, newest kept (issue 9): bounded by <see cref="Capacity"/>, so a long test run holds a
/// fixed amount. Read and cleared in process (<c>server.Journal</c>) and at <c>/admin/journal</c>.
/// </summary>
public sealed class RequestJournal
{
    /// <summary>Longest body kept per entry, in characters.</summary>
    public const int MaxBodyChars = 64 * 1024;

    /// <summary>Longest response kept per entry (<see cref="JournalEntry.Response"/>), in characters.</summary>
    public const int MaxResponseChars = 64 * 1024;

    /// <summary>
    /// The most bytes of responses kept over all entries (8 MiB): when newer answers need the room, the oldest responses
    /// are dropped (their entries stay, <see cref="JournalEntry.Response"/> null and <see cref="JournalEntry.ResponseTruncated"/>
    /// true), so long streams never cost entries.
    /// </summary>
    public const int MaxResponseBytesKept = 8 * 1024 * 1024;

    /// <summary>
    /// Most body characters kept over all entries (8 Mi): the oldest entries go first when a run of large requests
    /// would exceed it, so the journal's memory stays bounded whatever the bodies (1000 bodies of 64 Ki characters
    /// would otherwise hold about 128 MB). Requests the server journals are held as bytes in a ring of at most
    /// <see cref="MaxRingBytes"/> (headers included); entries given whole are counted by their body characters.
    /// </summary>
    public const long MaxTotalBodyChars = MaxRingBytes;

    /// <summary>The request header that scopes journal entries and run-time fixtures to one test.</summary>
    public const string SessionHeader = "X-Mock-Session";

    /// <summary>The most bytes the journal's ring (path, headers, model and body of each request kept) grows to: 8 MiB.</summary>
    public const int MaxRingBytes = 8 * 1024 * 1024;

    private const int InitialRingBytes = 64 * 1024;
    private const int InitialSlots = 64;

    private readonly Lock _gate = new();
    private readonly JournalBytes _bytes = new(InitialRingBytes, MaxRingBytes);
    private readonly JournalBytes _responses = new(InitialRingBytes, MaxResponseBytesKept);
    private JournalSlot?[] _slots = []; // a ring of slots, oldest at _first; those past _count are free to reuse
    private int _first;
    private int _count;
    private long _wholeBodyChars; // the body sizes of the kept entries given whole, bounded by MaxTotalBodyChars
    private long _sequence;
    private TaskCompletionSource? _added; // made only while someone waits (WaitForAsync): no cost per request otherwise

    internal RequestJournal(int capacity) => Capacity = capacity;

    /// <summary>How many entries are kept; 0 turns the journal off.</summary>
    public int Capacity { get; }

    /// <summary>The entries the filter matches, oldest first, each with its <see cref="JournalEntry.Response"/>.</summary>
    public IReadOnlyList<JournalEntry> Entries(JournalFilter? filter = null) => Read(filter, withResponses: true);

    /// <summary>
    /// The entries the filter matches, oldest first; <paramref name="withResponses"/> false leaves the responses out (the
    /// <c>/admin/journal</c> list, client verification, waiting), so they are not decoded for nothing.
    /// </summary>
    internal IReadOnlyList<JournalEntry> Read(JournalFilter? filter, bool withResponses)
    {
        filter ??= JournalFilter.All;
        var entries = new List<JournalEntry>();
        var responses = withResponses ? new List<JournalSlot.ResponseCopy>() : null;
        lock (_gate)
        {
            for (var i = 0; i < _count; i++)
            {
                var slot = _slots[(_first + i) % _slots.Length]!;
                var entry = slot.Entry(_bytes);
                if (filter.Matches(entry))
                {
                    entries.Add(entry);
                    responses?.Add(slot.CopyResponse(_responses)); // bytes only: decoded once the lock is released
                }
            }
        }

        for (var i = 0; responses is not null && i < entries.Count; i++)
        {
            entries[i] = responses[i].Into(entries[i]);
        }

        // Kept in the order their requests ended; read in the order they arrived (a long stream ends after later requests).
        entries.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        return entries;
    }

    /// <summary>The entry numbered <paramref name="sequence"/>, or null when the journal does not hold it (never was, or has gone).</summary>
    public JournalEntry? Entry(long sequence)
    {
        JournalEntry? entry = null;
        JournalSlot.ResponseCopy response = default;
        lock (_gate)
        {
            for (var i = 0; i < _count && entry is null; i++)
            {
                if (_slots[(_first + i) % _slots.Length] is { } slot && slot.Sequence == sequence)
                {
                    (entry, response) = (slot.Entry(_bytes), slot.CopyResponse(_responses));
                }
            }
        }

        return entry is null ? null : response.Into(entry); // decoded outside the lock
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

            if (Read(filter, withResponses: false).Count >= count)
            {
                return Entries(filter); // the responses decoded once, when they are wanted
            }

            await added.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Removes the entries the filter matches; returns how many.</summary>
    public int Clear(JournalFilter? filter = null)
    {
        lock (_gate)
        {
            if (filter is null || filter == JournalFilter.All)
            {
                var all = _count;
                (_first, _count, _wholeBodyChars) = (0, 0, 0);
                _bytes.Reset();
                _responses.Reset();
                return all;
            }

            // Rare (a test clearing its session): the slots kept close ranks in order, the removed ones become free.
            var kept = new List<JournalSlot>(_count);
            var removed = new List<JournalSlot>();
            foreach (var slot in Kept())
            {
                (filter.Matches(slot.Entry(_bytes)) ? removed : kept).Add(slot);
            }

            var free = Enumerable.Range(_count, _slots.Length - _count).Select(i => _slots[(_first + i) % _slots.Length]);
            var reordered = kept.Concat(removed).Concat(free).ToArray();
            (_slots, _first, _count) = (reordered, 0, kept.Count);
            _wholeBodyChars -= removed.Sum(s => s.WholeBodyChars);
            return removed.Count;
        }
    }

    /// <summary>
    /// Verdicts on the client from the entries the filter matches (issue 9, "Client verification"); retries are looked
    /// for among all entries, so a filter on status still sees the request that retried a 429.
    /// </summary>
    public ClientReport Verify(JournalFilter? filter = null) => ClientVerification.Verify(Read(null, withResponses: false), filter);

    /// <summary>Numbers start again at 1 (<see cref="MockServer.Hosting.MockLlmServer.Reset"/>, after the entries are cleared and no request is in flight).</summary>
    internal void RestartSequence() => Interlocked.Exchange(ref _sequence, 0);

    /// <summary>The next sequence number (taken when a request arrives, so entries keep arrival order).</summary>
    internal long NextSequence() => Interlocked.Increment(ref _sequence);

    /// <summary>Keeps an entry given whole (tests, and anything that has one already).</summary>
    internal void Add(JournalEntry entry)
    {
        if (Capacity == 0)
        {
            return;
        }

        TaskCompletionSource? added;
        lock (_gate)
        {
            Take().WriteWhole(entry);
            _wholeBodyChars += (entry.Body?.Length ?? 0) + (entry.Response?.Length ?? 0);
            while (_wholeBodyChars > MaxTotalBodyChars && _count > 1)
            {
                EvictOldest();
            }

            (added, _added) = (_added, null);
        }

        added?.SetResult();
    }

    /// <summary>Keeps a request's facts as its handling ended: copied into the journal's ring, nothing of the request held.</summary>
    internal void Add(HttpContext context, JournalScratch scratch, long sequence, DateTimeOffset time, TimeSpan duration)
    {
        if (Capacity == 0)
        {
            return;
        }

        var pending = JournalSlot.Measure(context, scratch);
        TaskCompletionSource? added;
        lock (_gate)
        {
            var length = pending.Length;
            while (_bytes.Length == 0 || _bytes.Length < length) // made on first use, even for a record of no bytes (OPTIONS *)
            {
                _bytes.Grow();
            }

            // Make room: a kept record whose bytes the new one would overwrite makes the ring grow, or, at its largest,
            // goes (with every record older than it, so the newest are kept).
            while (OldestHoldingBytes() is { } oldest && oldest.Start < _bytes.FloorAfter(length))
            {
                if (_bytes.CanGrow)
                {
                    _bytes.Grow();
                }
                else
                {
                    EvictOldest();
                }
            }

            var into = _bytes.Append(length, out var start);
            var responseStart = KeepResponse(pending.Response.Span);
            Take().Write(pending, scratch, sequence, time, duration, start, into, responseStart);
            (added, _added) = (_added, null);
        }

        added?.SetResult();
    }

    /// <summary>
    /// Copies a response into its ring and returns where it starts. The ring grows while a kept entry's response would be
    /// written over; at its largest the oldest responses go (their entries stay).
    /// </summary>
    private long KeepResponse(ReadOnlySpan<byte> response)
    {
        if (response.IsEmpty)
        {
            return 0;
        }

        while (_responses.Length < response.Length)
        {
            _responses.Grow();
        }

        while (_responses.CanGrow && OldestResponse() is { } oldest && oldest < _responses.FloorAfter(response.Length))
        {
            _responses.Grow();
        }

        response.CopyTo(_responses.Append(response.Length, out var start));
        return start;
    }

    /// <summary>Where the oldest kept response still held starts (while the ring can grow, every kept response is held).</summary>
    private long? OldestResponse()
    {
        for (var i = 0; i < _count; i++) // an index, not Kept(): this runs for every request kept, under the lock
        {
            if (_slots[(_first + i) % _slots.Length]!.ResponseStart is { } start && _responses.Holds(start))
            {
                return start;
            }
        }

        return null;
    }

    /// <summary>A slot for the newest record: the oldest one's when the journal is full.</summary>
    private JournalSlot Take()
    {
        if (_count == Capacity)
        {
            EvictOldest();
        }

        if (_count == _slots.Length)
        {
            var grown = new JournalSlot?[Math.Min(Math.Max(_slots.Length * 2, InitialSlots), Capacity)];
            for (var i = 0; i < _count; i++)
            {
                grown[i] = _slots[(_first + i) % _slots.Length];
            }

            (_slots, _first) = (grown, 0);
        }

        var at = (_first + _count) % _slots.Length;
        _count++;
        return _slots[at] ??= new JournalSlot();
    }

    private void EvictOldest()
    {
        _wholeBodyChars -= _slots[_first]!.WholeBodyChars;
        _first = (_first + 1) % _slots.Length;
        _count--;
    }

    private JournalSlot? OldestHoldingBytes()
    {
        for (var i = 0; i < _count; i++)
        {
            if (_slots[(_first + i) % _slots.Length] is { HoldsBytes: true } slot)
            {
                return slot;
            }
        }

        return null;
    }

    /// <summary>The kept slots, oldest first.</summary>
    private IEnumerable<JournalSlot> Kept()
    {
        for (var i = 0; i < _count; i++)
        {
            yield return _slots[(_first + i) % _slots.Length]!;
        }
    }
}
