namespace MockServer.Journal;

/// <summary>Which journal entries to read or clear; a null field matches everything.</summary>
public sealed record JournalFilter(string? Path = null, string? Model = null, int? Status = null, string? Session = null)
{
    public static JournalFilter All { get; } = new();

    public bool Matches(JournalEntry entry) =>
        (Path is null || string.Equals(entry.Path, Path, StringComparison.OrdinalIgnoreCase))
        && (Model is null || string.Equals(entry.Model, Model, StringComparison.Ordinal))
        && (Status is null || entry.Status == Status)
        && (Session is null || string.Equals(entry.Session, Session, StringComparison.Ordinal));
}
