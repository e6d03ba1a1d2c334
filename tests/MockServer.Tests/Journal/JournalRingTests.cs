using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Http;
using MockServer.Journal;

namespace MockServer.Tests.Journal;

/// <summary>
/// The journal copies each request's path, headers, model and body into one ring of bytes it owns (so nothing of a
/// request outlives it). Whatever the mix of sizes, what a test reads back must be exactly what was sent, the newest
/// kept, within the entry count and the ring's byte bound.
/// </summary>
public sealed class JournalRingTests
{
    [Theory]
    [InlineData(5, 2_000)] // the entry count bounds: slots reused, bytes wrap within a small ring
    [InlineData(200, 30_000)] // the ring grows until it holds 200 records of up to 30 kB
    [InlineData(10_000, 200_000)] // the byte bound: records of up to 200 kB push out the oldest at 8 MiB
    public void What_is_read_back_is_what_was_sent_newest_kept_within_both_bounds(int capacity, int maxBody)
    {
        var journal = new RequestJournal(capacity);
        var random = new Random(capacity); // seeded: the same sizes every run
        var sent = new List<(long Sequence, string Body, string Model)>();
        for (var i = 0; i < 400; i++)
        {
            var body = Body(i, random.Next(0, maxBody));
            var model = $"model-{i}";
            var sequence = journal.NextSequence();
            journal.Add(Context(body, i), new JournalScratch { Body = Encoding.UTF8.GetBytes(body), Model = model }, sequence, DateTimeOffset.UnixEpoch, TimeSpan.Zero);
            sent.Add((sequence, body, model));

            if (i % 37 == 36 || i == 399)
            {
                var kept = journal.Entries();
                kept.Should().NotBeEmpty().And.HaveCountLessThanOrEqualTo(capacity);
                kept.Select(e => e.Sequence).Should().Equal(sent.TakeLast(kept.Count).Select(s => s.Sequence), "the newest are kept, oldest first");
                kept.Sum(e => (long)Encoding.UTF8.GetByteCount(e.Body ?? string.Empty)).Should().BeLessThanOrEqualTo(RequestJournal.MaxRingBytes);
                foreach (var (entry, expected) in kept.Zip(sent.TakeLast(kept.Count)))
                {
                    var cut = expected.Body.Length > RequestJournal.MaxBodyChars;
                    entry.Body.Should().Be(expected.Body.Length == 0 ? null : cut ? expected.Body[..RequestJournal.MaxBodyChars] : expected.Body, $"entry {entry.Sequence}'s body");
                    entry.BodyTruncated.Should().Be(cut);
                    entry.Model.Should().Be(expected.Model);
                    entry.Path.Should().Be($"/v1/completions/{entry.Sequence - 1}");
                    entry.Headers["X-Request-Number"].Should().Be($"{entry.Sequence - 1}", "headers are read back from the ring too");
                    entry.Headers["Accept"].Should().Be("text/event-stream,application/json", "a header of two values keeps both");
                }
            }
        }

        if (maxBody == 200_000)
        {
            journal.Entries().Count.Should().BeLessThan(100, "8 MiB holds about 80 records of 100 kB on average, not the 400 sent");
        }
    }

    [Fact]
    public void A_first_request_of_no_bytes_is_kept_like_any_other()
    {
        // `OPTIONS * HTTP/1.0` with no headers: no path, no headers, no body. The ring is made on first use all the same.
        var journal = new RequestJournal(10);
        var context = new DefaultHttpContext();
        context.Request.Method = "OPTIONS";
        context.Response.StatusCode = 404;
        journal.Add(context, new JournalScratch(), journal.NextSequence(), DateTimeOffset.UnixEpoch, TimeSpan.Zero);
        journal.Add(Context("after", 1), new JournalScratch { Body = Encoding.UTF8.GetBytes("after") }, journal.NextSequence(), DateTimeOffset.UnixEpoch, TimeSpan.Zero);

        var entries = journal.Entries();
        entries.Select(e => (e.Sequence, e.Method, e.Path, e.Status, e.Body)).Should().Equal((1L, "OPTIONS", "", 404, (string?)null), (2L, "POST", "/v1/completions/1", 200, "after"));
    }

    [Fact]
    public void Headers_are_kept_whole_in_order_up_to_64_KiB_and_one_request_never_sees_another_requests_headers()
    {
        var journal = new RequestJournal(10);

        // 30,000 three-byte characters: 90 kB of UTF-8, past the bound alone, so it and every header after it are left out.
        var big = Context("big", 0);
        big.Request.Headers["X-Small"] = "é";
        big.Request.Headers["X-Huge"] = new string('€', 30_000);
        big.Request.Headers["X-After"] = "kept only if the bound were per header";
        journal.Add(big, new JournalScratch(), journal.NextSequence(), DateTimeOffset.UnixEpoch, TimeSpan.Zero);

        // Two 20 kB values fit (with the small ones) under 64 KiB; a third would not.
        var fits = Context("fits", 1);
        fits.Request.Headers["X-A"] = new string('a', 20_000);
        fits.Request.Headers["X-B"] = new string('b', 20_000);
        fits.Request.Headers["X-C"] = new string('c', 30_000);
        journal.Add(fits, new JournalScratch(), journal.NextSequence(), DateTimeOffset.UnixEpoch, TimeSpan.Zero);

        // A small request after the big ones: the encoding buffer they grew is reused, and none of their bytes leak in.
        journal.Add(Context("small", 2), new JournalScratch(), journal.NextSequence(), DateTimeOffset.UnixEpoch, TimeSpan.Zero);

        var entries = journal.Entries();
        entries[0].Headers.Should().ContainKey("X-Small").WhoseValue.Should().Be("é");
        entries[0].Headers.Should().NotContainKey("X-Huge").And.NotContainKey("X-After");
        entries[1].Headers["X-A"].Should().Be(new string('a', 20_000));
        entries[1].Headers["X-B"].Should().Be(new string('b', 20_000));
        entries[1].Headers.Should().NotContainKey("X-C");
        entries[2].Headers.Keys.Where(k => k.StartsWith("X-", StringComparison.Ordinal)).Should().Equal("X-Request-Number");
        entries[2].Headers["X-Request-Number"].Should().Be("2");
    }

    [Fact]
    public void A_body_kept_cut_still_hashes_all_of_it()
    {
        var journal = new RequestJournal(10);
        var head = new string('a', JournalSlot.MaxBodyBytes);
        foreach (var body in new[] { head + "tail one", head + "tail one", head + "tail two" })
        {
            journal.Add(Context(body, 0), new JournalScratch { Body = Encoding.UTF8.GetBytes(body) }, journal.NextSequence(), DateTimeOffset.UnixEpoch, TimeSpan.Zero);
        }

        var entries = journal.Entries();
        entries.Should().OnlyContain(e => e.BodyTruncated && e.Body!.Length == RequestJournal.MaxBodyChars);
        entries[1].RequestHash.Should().Be(entries[0].RequestHash, "the same body");
        entries[2].RequestHash.Should().NotBe(entries[0].RequestHash, "the bodies differ after the part kept");
    }

    [Fact]
    public void Clearing_some_entries_keeps_the_others_intact_and_frees_their_places()
    {
        var journal = new RequestJournal(4);
        for (var i = 0; i < 4; i++)
        {
            journal.Add(Context($"body {i}", i, session: i % 2 == 0 ? "even" : "odd"), new JournalScratch { Body = Encoding.UTF8.GetBytes($"body {i}") }, journal.NextSequence(), DateTimeOffset.UnixEpoch, TimeSpan.Zero);
        }

        journal.Clear(new JournalFilter(Session: "even")).Should().Be(2);
        for (var i = 4; i < 6; i++)
        {
            journal.Add(Context($"body {i}", i, session: "odd"), new JournalScratch { Body = Encoding.UTF8.GetBytes($"body {i}") }, journal.NextSequence(), DateTimeOffset.UnixEpoch, TimeSpan.Zero);
        }

        journal.Entries().Select(e => e.Body).Should().Equal("body 1", "body 3", "body 4", "body 5");
    }

    private static string Body(int i, int length)
    {
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{i}:{builder.Length}é;"); // distinct per record and position, and not all ASCII
        }

        return builder.ToString(0, length);
    }

    private static DefaultHttpContext Context(string body, int i, string? session = null)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = $"/v1/completions/{i}";
        context.Request.Headers["X-Request-Number"] = $"{i}";
        context.Request.Headers.Accept = new(["text/event-stream", "application/json"]);
        context.Request.Headers.Authorization = "Bearer sk-never-kept";
        if (session is not null)
        {
            context.Request.Headers[RequestJournal.SessionHeader] = session;
        }

        context.Request.ContentLength = Encoding.UTF8.GetByteCount(body);
        context.Response.StatusCode = 200;
        return context;
    }
}
