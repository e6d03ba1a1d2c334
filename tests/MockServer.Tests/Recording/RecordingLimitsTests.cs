using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using MockServer.Hosting;
using MockServer.Recording;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// Record mode's memory stays bounded (review of issue 9): a stream without a blank line in sight, or longer than what
/// is kept for a recording, is relayed whole; and CR-only line ends (allowed by SSE) end an event.
/// </summary>
public sealed class RecordingLimitsTests : IDisposable
{
    private readonly string _dir = RecordingHarness.TempDirectory("mock-recording-limits-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Cr_only_line_ends_end_an_event_and_the_frames_keep_every_byte()
    {
        var splitter = new SseFrameSplitter();
        var body = "data: a\r\rdata: b\r\r\ndata: c\r\n\r\n";

        var frames = splitter.Push(Encoding.UTF8.GetBytes(body)).Select(f => Encoding.UTF8.GetString(f)).ToList();

        frames.Should().Equal("data: a\r\r", "data: b\r\r\n", "data: c\r\n\r\n");
        splitter.Rest().Should().BeEmpty();
    }

    [Fact]
    public void Bytes_that_never_reach_a_blank_line_are_passed_on_past_the_cap()
    {
        var splitter = new SseFrameSplitter(maxPending: 16);

        splitter.Push("data: 0123"u8).Should().BeEmpty("under the cap, an event may still end");
        var frames = splitter.Push("456789abcdef"u8);

        frames.Select(f => Encoding.UTF8.GetString(f)).Should().Equal("data: 0123456789abcdef");
        splitter.Rest().Should().BeEmpty("nothing is held past the cap");
    }

    [Fact]
    public async Task A_stream_longer_than_the_recording_cap_is_relayed_whole_and_not_recorded()
    {
        var frame = "data: " + new string('x', 40) + "\n\n";
        var stream = string.Concat(Enumerable.Repeat(frame, 5));
        using var handler = new StreamingHandler(stream);
        var logs = new CapturedLogs();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var proxy = new RecordingProxy(new Uri("http://127.0.0.1:9/v1"), null, new RecordingWriter(_dir), new MockServerOptions(), factory.CreateLogger<RecordingProxy>(), handler, maxRecordedBytes: 3 * frame.Length);
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.Path = "/v1/completions";
        using var relayed = new MemoryStream();
        context.Response.Body = relayed;

        await proxy.HandleAsync(context, new RequestFacts("completions", "POST", "/v1/completions", "{}"), "{}"u8.ToArray(), 0);

        Encoding.UTF8.GetString(relayed.ToArray()).Should().Be(stream, "the client gets every byte");
        Directory.GetFiles(_dir).Should().BeEmpty("a recording cut short would replay another answer");
        logs.Entries.Where(e => e.Event.Id == 64).Should().ContainSingle().Which.Message.Should().Contain("outgrew");
    }

    /// <summary>Answers every request with the given SSE body, unbuffered.</summary>
    private sealed class StreamingHandler(string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body)));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/event-stream");
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = content });
        }
    }
}
