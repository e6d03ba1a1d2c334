using System.Net.ServerSentEvents;
using System.Text;
using Conformance.Sse;

namespace Conformance.Tests.Sse;

public sealed class SseReaderTests
{
    private static List<(string Type, string Data)> Strict(SseReader reader) => [.. reader.Events.Select(e => (e.EventType, e.Data))];

    private static List<(string Type, string Data)> Standard(byte[] bytes) =>
        [.. SseParser.Create(new MemoryStream(bytes)).Enumerate().Select(i => (i.EventType, i.Data))];

    private static SseReader FeedInPieces(byte[] bytes, int size)
    {
        var reader = new SseReader();
        for (var i = 0; i < bytes.Length; i += size)
        {
            reader.Feed(bytes.AsSpan(i, Math.Min(size, bytes.Length - i)));
        }

        reader.Complete();
        return reader;
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    [InlineData("\r")]
    public void Feed_EveryChunkBoundary_GivesTheSameEvents(string nl)
    {
        // Arrange: multi-byte UTF-8, comments and a multi-line event, so splits land inside all of them.
        var text = $": hello{nl}data: {{\"text\":\"’s café\"}}{nl}{nl}data: a{nl}data:b{nl}{nl}data: [DONE]{nl}{nl}";
        var bytes = Encoding.UTF8.GetBytes(text);
        var whole = SseReader.ParseAll(bytes);

        // Act / Assert: every split point, including between CR and LF and inside a UTF-8 sequence.
        for (var split = 1; split < bytes.Length; split++)
        {
            var reader = new SseReader();
            reader.Feed(bytes.AsSpan(0, split));
            reader.Feed(bytes.AsSpan(split));
            reader.Complete();
            Strict(reader).Should().Equal(Strict(whole), $"split at byte {split}");
        }

        Strict(FeedInPieces(bytes, 1)).Should().Equal(Strict(whole));
        Strict(whole).Should().Equal(("message", "{\"text\":\"’s café\"}"), ("message", "a\nb"), ("message", "[DONE]"));
        whole.CommentCount.Should().Be(1);
    }

    [Fact]
    public void Feed_CrThenLfInNextRead_IsOneTerminator()
    {
        var reader = new SseReader();
        reader.Feed("data: x\r"u8);
        reader.Feed("\ndata: y\r"u8);
        reader.Feed("\n\r\n"u8);
        reader.Complete();

        // Had the split CRLF counted as two terminators, the LF would have been a blank line dispatching "x" alone.
        Strict(reader).Should().Equal(("message", "x\ny"));
    }

    [Fact]
    public void Complete_TrailingEventWithoutBlankLine_IsDiscarded()
    {
        var reader = SseReader.ParseAll("data: a\n\ndata: [DONE]"u8);

        Strict(reader).Should().Equal(("message", "a"));
        reader.DiscardedTail.Should().Be("data: [DONE]\n");
    }

    [Fact]
    public void Feed_LeadingBom_IsDropped()
    {
        var reader = SseReader.ParseAll("\uFEFFdata: x\n\n"u8);

        reader.Events.Should().ContainSingle().Which.FieldNames.Should().Equal("data");
    }

    [Fact]
    public void Feed_FieldsAndValues_FollowWhatwgRules()
    {
        var reader = SseReader.ParseAll("event: e\nid: 7\nretry: x\nfoo\ndata:  two spaces\n\ndata\n\n"u8);

        reader.Events.Should().HaveCount(2);
        reader.Events[0].EventType.Should().Be("e");
        reader.Events[0].Id.Should().Be("7");
        reader.Events[0].Data.Should().Be(" two spaces", "only one leading space is removed");
        reader.Events[0].FieldNames.Should().Equal("event", "id", "retry", "foo", "data");
        reader.Events[1].Data.Should().BeEmpty("a bare data line appends an empty line, which still fires");
    }

    [Fact]
    public void Dispatch_EventOnlyBlock_FiresNothingAndResetsType()
    {
        var bytes = "event: keepalive\n\ndata: y\n\n"u8.ToArray();
        var reader = SseReader.ParseAll(bytes);

        Strict(reader).Should().Equal(("message", "y"));
        reader.EmptyBlocks.Should().Be(1);

        // System.Net.ServerSentEvents carries the type over: this is the divergence stream.sse-parser-agreement reports.
        Standard(bytes).Should().Equal(("keepalive", "y"));
    }

    [Theory]
    [InlineData("data: a\n\ndata: b\n\n")]
    [InlineData("data: a\r\n\r\n: c\r\ndata: b\r\ndata: c\r\n\r\n")]
    [InlineData("data: a\r\rdata:\n\n")]
    [InlineData("event: x\ndata: a\n\ndata: [DONE]\n\n")]
    public void ParseAll_WellFormedStreams_AgreeWithSseParser(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);

        Strict(SseReader.ParseAll(bytes)).Should().Equal(Standard(bytes));
    }

    [Fact]
    public void Feed_RandomStreamsAndChunkings_MatchTheModelAndSseParser()
    {
        // A seeded fuzz: random events (comments, multi-line data, colons, quotes, non-BMP text) with one line ending
        // per stream, cut into random pieces. Seeded, so a failure reproduces.
        var random = new Random(20261122);
        string[] alphabet = ["a", "b", " ", ":", "\"", "é", "’", "😀", "{", "}", "[DONE]"];
        string[] endings = ["\n", "\r\n", "\r"];
        for (var run = 0; run < 300; run++)
        {
            var nl = endings[random.Next(endings.Length)];
            var text = new StringBuilder();
            var expected = new List<(string, string)>();
            for (var e = random.Next(1, 6); e > 0; e--)
            {
                if (random.Next(3) == 0)
                {
                    text.Append(": keep-alive").Append(nl);
                }

                var lines = Enumerable.Range(0, random.Next(1, 4))
                    .Select(_ => string.Concat(Enumerable.Range(0, random.Next(0, 8)).Select(_ => alphabet[random.Next(alphabet.Length)])))
                    .ToList();
                foreach (var line in lines)
                {
                    text.Append("data: ").Append(line).Append(nl);
                }

                text.Append(nl);
                expected.Add(("message", string.Join("\n", lines)));
            }

            var bytes = Encoding.UTF8.GetBytes(text.ToString());
            var reader = new SseReader();
            for (var at = 0; at < bytes.Length;)
            {
                var size = Math.Min(bytes.Length - at, random.Next(1, 12));
                reader.Feed(bytes.AsSpan(at, size));
                at += size;
            }

            reader.Complete();
            Strict(reader).Should().Equal(expected, $"run {run}: {text.ToString().Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}");
            Standard(bytes).Should().Equal(expected, $"run {run}: SseParser reads the same stream");
        }
    }

    [Fact]
    public void Feed_AfterComplete_Throws()
    {
        var reader = SseReader.ParseAll("data: a\n\n"u8);

        var act = () => reader.Feed("x"u8);

        act.Should().Throw<InvalidOperationException>();
    }
}
