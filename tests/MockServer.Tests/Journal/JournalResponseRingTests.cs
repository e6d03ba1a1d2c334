using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using MockServer.Journal;

namespace MockServer.Tests.Journal;

/// <summary>
/// The responses the journal keeps (issue 11) live in a ring of their own, bounded by
/// <see cref="RequestJournal.MaxResponseBytesKept"/>: whatever the sizes, a kept response reads back exactly as written
/// (cut at <see cref="RequestJournal.MaxResponseChars"/>, never mid-character), the oldest responses go first when room
/// is needed, and a response never costs an entry.
/// </summary>
public sealed class JournalResponseRingTests
{
    [Theory]
    [InlineData(1_000, 3_000)] // small answers: every response kept
    [InlineData(1_000, 150_000)] // long streams: 8 MiB holds about a hundred, the entries all stay
    [InlineData(7, 100_000)] // few slots: responses wrap in a small ring
    public void Responses_read_back_as_written_the_oldest_dropped_first_and_entries_never_lost(int capacity, int maxChars)
    {
        var journal = new RequestJournal(capacity);
        var random = new Random(maxChars); // seeded: the same sizes every run
        var sent = new List<(long Sequence, string Response)>();
        for (var i = 0; i < 300; i++)
        {
            var response = Text(i, random.Next(0, maxChars));
            var scratch = new JournalScratch();
            var bytes = Encoding.UTF8.GetBytes(response);
            for (var at = 0; at < bytes.Length; at += 4096) // written frame by frame, as a stream is
            {
                scratch.NoteSent(bytes.AsSpan(at, Math.Min(4096, bytes.Length - at)));
            }

            var sequence = journal.NextSequence();
            journal.Add(Context(i), scratch, sequence, DateTimeOffset.UnixEpoch, TimeSpan.Zero);
            scratch.Release();
            sent.Add((sequence, response));

            if (i % 29 == 28 || i == 299)
            {
                var kept = journal.Entries();
                kept.Should().HaveCount(Math.Min(capacity, sent.Count), "responses never push entries out");
                var dropped = false;
                var keptBytes = 0L;
                foreach (var (entry, expected) in kept.Zip(sent.TakeLast(kept.Count)))
                {
                    entry.Sequence.Should().Be(expected.Sequence);
                    if (entry.Response is null && expected.Response.Length > 0)
                    {
                        dropped.Should().BeFalse("only the oldest responses go: once one is kept, every newer one is");
                        entry.ResponseTruncated.Should().BeTrue("a dropped response says it is not all there");
                        continue;
                    }

                    dropped = true;
                    var cut = Cut(expected.Response);
                    entry.Response.Should().Be(expected.Response.Length == 0 ? null : cut, $"entry {entry.Sequence}'s response");
                    entry.ResponseTruncated.Should().Be(cut.Length < expected.Response.Length);
                    keptBytes += Encoding.UTF8.GetByteCount(entry.Response ?? "");
                }

                keptBytes.Should().BeLessThanOrEqualTo(RequestJournal.MaxResponseBytesKept);
            }
        }

        if (maxChars == 3_000)
        {
            journal.Entries().Should().OnlyContain(e => !e.ResponseTruncated, "300 small answers fit");
        }
        else if (capacity == 1_000)
        {
            journal.Entries().Count(e => e.Response is not null).Should().BeLessThan(200, "8 MiB does not hold 300 answers of 75 kB on average");
        }
    }

    /// <summary>What the journal keeps of a response: its first MaxResponseChars characters, a surrogate pair never split.</summary>
    private static string Cut(string text)
    {
        var max = RequestJournal.MaxResponseChars;
        return text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];
    }

    /// <summary>Distinct per record and position; one, two, three and four-byte UTF-8 (a surrogate pair) all appear.</summary>
    private static string Text(int i, int length)
    {
        var builder = new StringBuilder(length + 16);
        while (builder.Length < length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"data: {i}:{builder.Length}é€😀\n\n");
        }

        return builder.ToString(0, length) is var text && text.Length > 0 && char.IsHighSurrogate(text[^1]) ? text[..^1] : builder.ToString(0, length);
    }

    private static DefaultHttpContext Context(int i)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = $"/v1/completions/{i}";
        context.Response.StatusCode = 200;
        return context;
    }
}
