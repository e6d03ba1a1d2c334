using System.IO.Pipelines;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using MockServer.Endpoints;
using MockServer.Hosting;

namespace MockServer.Tests.Functional;

/// <summary>
/// A stream whose connection was aborted under it (the client reset it) ends at its next flush, whether or not the
/// abort signal has reached the request yet: Kestrel then drops writes and completes every flush at once, reporting
/// the transport done, so a sink that ignored that would let the generator run on, unread and charged (bench/README.md,
/// issue 8's stalled-readers step: 50 reset streams went on generating millions of tokens).
/// </summary>
public sealed class GoneClientTests
{
    [Fact]
    public async Task A_flush_that_reports_the_transport_done_ends_the_stream()
    {
        var pipe = new Pipe();
        await pipe.Reader.CompleteAsync(); // what an aborted connection looks like to the writer: flushes complete, done
        var context = new DefaultHttpContext();
        context.Features.Set<IHttpResponseBodyFeature>(new PipeBody(pipe.Writer));

        using var sink = SseSink.Start(context, new MockServerOptions(), CancellationToken.None);
        var json = sink.BeginEvent();
        json.WriteStartObject();
        json.WriteEndObject();
        var ending = async () => await sink.EndEventAsync();

        await ending.Should().ThrowAsync<ClientGoneException>();
    }

    private sealed class PipeBody(PipeWriter writer) : IHttpResponseBodyFeature
    {
        public Stream Stream => writer.AsStream();

        public PipeWriter Writer => writer;

        public Task CompleteAsync() => writer.CompleteAsync().AsTask();

        public void DisableBuffering()
        {
        }

        public Task SendFileAsync(string path, long offset, long? count, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task StartAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;
    }
}
