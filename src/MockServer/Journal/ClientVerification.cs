using System.Globalization;

namespace MockServer.Journal;

/// <summary>One verdict on the client's behaviour, tied to the journal entry it is about.</summary>
/// <param name="Rule">
/// <c>waited-retry-after</c> (a retry of a 429/503 came no sooner than its Retry-After), <c>no-retry-of-hopeless</c> (a
/// 400, 401 or 404 was not sent again unchanged), <c>read-to-done</c> (a stream was read to <c>[DONE]</c>).
/// </param>
/// <param name="Passed">Whether the client did what the rule asks.</param>
/// <param name="Sequence">The journal entry the verdict is about.</param>
/// <param name="Message">What was seen, in a sentence.</param>
/// <param name="FollowUp">The entry that repeated the request (a retry), when the rule is about one.</param>
/// <param name="GapSeconds">For <c>waited-retry-after</c>: seconds from the answer's request to its retry, on the server's clock.</param>
public sealed record ClientFinding(string Rule, bool Passed, long Sequence, string Message, long? FollowUp = null, double? GapSeconds = null);

/// <summary>What the journal says about a client (issue 9, "Client verification").</summary>
public sealed record ClientReport(IReadOnlyList<ClientFinding> Findings)
{
    public bool Passed => Findings.All(f => f.Passed);

    /// <summary>The findings that failed, for an assertion message.</summary>
    public IReadOnlyList<ClientFinding> Failures => [.. Findings.Where(f => !f.Passed)];
}

/// <summary>
/// Judges a client from its journal entries (issue 9, "Client verification"): whether it waited Retry-After before
/// retrying a 429 or 503, whether it re-sent a request that cannot succeed, and whether it read each stream to
/// <c>[DONE]</c>. A retry is the next entry with the same <see cref="JournalEntry.RequestHash"/> (method, path and
/// body) in the same session: sessions are separate clients, so one test's request never counts as another's retry.
/// </summary>
internal static class ClientVerification
{
    public const string WaitedRetryAfter = "waited-retry-after";
    public const string NoRetryOfHopeless = "no-retry-of-hopeless";
    public const string ReadToDone = "read-to-done";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Verdicts on every entry given.</summary>
    public static ClientReport Verify(IReadOnlyList<JournalEntry> entries) => Verify(entries, null);

    /// <summary>
    /// Verdicts on the entries <paramref name="filter"/> matches; their retries are looked for among all
    /// <paramref name="entries"/>, so filtering by <c>status=429</c> still sees the 200 that retried a 429.
    /// </summary>
    /// <param name="entries">The journal, oldest first (<see cref="RequestJournal.Entries"/>).</param>
    /// <param name="filter">Which entries to judge; null judges all.</param>
    public static ClientReport Verify(IReadOnlyList<JournalEntry> entries, JournalFilter? filter)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var ordered = entries.OrderBy(e => e.Sequence).ToList();

        // Walking newest to oldest, the map holds each (session, request) pair's next occurrence: one pass, whatever the size.
        var next = new JournalEntry?[ordered.Count];
        var later = new Dictionary<(string Session, string Hash), JournalEntry>();
        for (var i = ordered.Count - 1; i >= 0; i--)
        {
            if (ordered[i].RequestHash is { } hash)
            {
                var key = (ordered[i].Session ?? "", hash);
                next[i] = later.GetValueOrDefault(key);
                later[key] = ordered[i];
            }
        }

        var findings = new List<ClientFinding>();
        for (var i = 0; i < ordered.Count; i++)
        {
            var entry = ordered[i];
            // The admin surface is the test talking to the mock, not the client under test.
            if ((filter is not null && !filter.Matches(entry)) || entry.Path.StartsWith("/admin", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (RetryAfter(entry, next[i]) is { } waited)
            {
                findings.Add(waited);
            }

            if (Hopeless(entry, next[i]) is { } hopeless)
            {
                findings.Add(hopeless);
            }

            if (Stream(entry) is { } stream)
            {
                findings.Add(stream);
            }
        }

        return new ClientReport(findings);
    }

    /// <summary>
    /// A 429 or 503 with Retry-After: its retry must arrive no sooner than Retry-After after the refused request
    /// arrived (spec-facts §6.2). Measured from arrival, not from the answer, so a client that waits exactly
    /// Retry-After after reading the answer always passes. No retry at all is a pass: giving up is allowed.
    /// </summary>
    private static ClientFinding? RetryAfter(JournalEntry entry, JournalEntry? retry)
    {
        if (entry.Status is not (429 or 503) || entry.RetryAfterSeconds is not { } seconds || entry.RequestHash is null)
        {
            return null;
        }

        var answer = string.Create(Inv, $"{entry.Status} with Retry-After: {seconds}");
        if (retry is null)
        {
            return new ClientFinding(WaitedRetryAfter, true, entry.Sequence, $"The {answer} was not retried.");
        }

        var gap = (retry.Time - entry.Time).TotalSeconds;
        var passed = gap >= seconds;
        var message = string.Create(Inv,
            $"The {answer} was retried as request {retry.Sequence} after {gap:0.###} s: {(passed ? "no sooner than" : "sooner than")} the {seconds} s asked.");
        return new ClientFinding(WaitedRetryAfter, passed, entry.Sequence, message, retry.Sequence, gap);
    }

    /// <summary>
    /// A 400, 401 or 404 fails the same way however often it is sent: the request must change (body, path or method)
    /// before it is sent again. A changed request has another hash, so it is not a retry; the same request later is,
    /// however long after.
    /// </summary>
    private static ClientFinding? Hopeless(JournalEntry entry, JournalEntry? retry)
    {
        if (entry.Status is not (400 or 401 or 404) || entry.RequestHash is null)
        {
            return null;
        }

        var status = entry.Status.ToString(Inv);
        return retry is null
            ? new ClientFinding(NoRetryOfHopeless, true, entry.Sequence, $"The {status} was not sent again unchanged.")
            : new ClientFinding(NoRetryOfHopeless, false, entry.Sequence,
                string.Create(Inv, $"The {status} was sent again unchanged as request {retry.Sequence}; it cannot succeed without a change."), retry.Sequence);
    }

    /// <summary>
    /// A streamed 200 must be read to <c>[DONE]</c>: an abandoned stream leaves the server generating for no one. Not
    /// judged when a fault cut or broke the stream (<c>disconnect_after</c>, <c>reset_after</c>, <c>malformed_at</c>):
    /// then the server, not the client, ended it, and leaving on a frame that cannot be parsed is what a client should do.
    /// </summary>
    private static ClientFinding? Stream(JournalEntry entry)
    {
        if (!entry.Stream || entry.Status != 200 || ServerEnded(entry.Fault))
        {
            return null;
        }

        var frames = entry.Frames.ToString(Inv);
        if (entry.Done && !entry.LeftEarly)
        {
            return new ClientFinding(ReadToDone, true, entry.Sequence, $"The stream was read to [DONE] ({frames} frames).");
        }

        return new ClientFinding(ReadToDone, false, entry.Sequence, entry.LeftEarly
            ? $"The client left the stream early, after {frames} frames{(entry.Done ? "" : " and before [DONE]")}."
            : $"The stream ended after {frames} frames without [DONE] being read.");
    }

    private static bool ServerEnded(string? fault) =>
        fault is not null
        && (fault.StartsWith("disconnect_after=", StringComparison.Ordinal)
            || fault.StartsWith("reset_after=", StringComparison.Ordinal)
            || fault.StartsWith("malformed_at=", StringComparison.Ordinal));
}
