using MockServer.Journal;

namespace MockServer.Tests.Journal;

/// <summary>The journal's memory is bounded by its body total as well as its entry count: large requests push out the oldest.</summary>
public sealed class JournalMemoryTests
{
    [Fact]
    public void Large_bodies_push_out_the_oldest_entries_beyond_the_body_total()
    {
        var journal = new RequestJournal(capacity: 1000);
        var body = new string('x', RequestJournal.MaxBodyChars);
        for (var i = 0; i < 300; i++)
        {
            journal.Add(new JournalEntry { Sequence = journal.NextSequence(), Time = DateTimeOffset.UnixEpoch, Method = "POST", Path = "/v1/completions", Body = body, Status = 200, Duration = TimeSpan.Zero });
        }

        var kept = journal.Entries();
        kept.Should().HaveCount((int)(RequestJournal.MaxTotalBodyChars / RequestJournal.MaxBodyChars), "the body total, not the entry count, bounds a run of large requests");
        kept[^1].Sequence.Should().Be(300, "the newest are kept");

        journal.Clear();
        for (var i = 0; i < kept.Count; i++)
        {
            journal.Add(new JournalEntry { Sequence = journal.NextSequence(), Time = DateTimeOffset.UnixEpoch, Method = "POST", Path = "/v1/completions", Body = body, Status = 200, Duration = TimeSpan.Zero });
        }

        journal.Entries().Should().HaveCount(kept.Count, "clearing gives the body total back");
    }
}
