namespace MockServer.Journal;

/// <summary>One verdict on the client's behaviour, tied to the journal entry it is about.</summary>
/// <param name="Rule">
/// <c>waited-retry-after</c> (a retry of a 429/503 came no sooner than its Retry-After), <c>no-retry-of-hopeless</c> (a
/// 400, 401 or 404 was not sent again unchanged), <c>read-to-done</c> (a stream was read to <c>[DONE]</c>).
/// </param>
/// <param name="Passed">Whether the client did what the rule asks.</param>
/// <param name="Sequence">The journal entry the verdict is about.</param>
/// <param name="Message">What was seen, in a sentence.</param>
public sealed record ClientFinding(string Rule, bool Passed, long Sequence, string Message);

/// <summary>What the journal says about a client (issue 9, "Client verification").</summary>
public sealed record ClientReport(IReadOnlyList<ClientFinding> Findings)
{
    public bool Passed => Findings.All(f => f.Passed);
}

/// <summary>CONTRACT STUB (helper "verify" owns it): judges a client from its journal entries.</summary>
internal static class ClientVerification
{
    public static ClientReport Verify(IReadOnlyList<JournalEntry> entries) => new(entries.Count == 0 ? [] : []);
}
