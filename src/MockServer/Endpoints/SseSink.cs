using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using MockServer.Hosting;
using MockServer.Wire;

namespace MockServer.Endpoints;

/// <summary>
/// The SSE side of a streamed answer, shared by completions and chat (REVIEW.md, seam 4): the response headers, one
/// <c>data: {json}\n\n</c> event per frame flushed as it is written (the point where a slow reader holds the writer
/// back), the pause between frames, and <c>data: [DONE]\n\n</c> (spec-facts §4.1, §8). What an event says is the
/// endpoint's; one <see cref="Utf8JsonWriter"/> is reused for every event instead of one per frame.
/// </summary>
internal sealed class SseSink : IDisposable
{
    private readonly PipeWriter _pipe;
    private readonly Utf8JsonWriter _json;
    private readonly MockServerOptions _options;
    private readonly CancellationToken _cancellationToken;

    private SseSink(PipeWriter pipe, MockServerOptions options, CancellationToken cancellationToken)
    {
        _pipe = pipe;
        _json = new Utf8JsonWriter(pipe, WireJson.WriterOptions);
        _options = options;
        _cancellationToken = cancellationToken;
    }

    /// <summary>Answers 200 with the event-stream headers; nothing is sent until the first event is flushed.</summary>
    public static SseSink Start(HttpContext context, MockServerOptions options, CancellationToken cancellationToken)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream; charset=utf-8"; // as vLLM/Starlette send it (spec-facts §4.1)
        response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        return new SseSink(response.BodyWriter, options, cancellationToken);
    }

    /// <summary>Opens an event: the returned writer takes its JSON payload, then <see cref="EndEventAsync"/> or <see cref="EndEvent"/> closes it.</summary>
    public Utf8JsonWriter BeginEvent()
    {
        _pipe.Write("data: "u8);
        _json.Reset(_pipe);
        return _json;
    }

    /// <summary>Closes the event and flushes it to the client.</summary>
    public ValueTask<FlushResult> EndEventAsync()
    {
        EndEvent();
        return _pipe.FlushAsync(_cancellationToken);
    }

    /// <summary>Closes the event without flushing, so it leaves with whatever is written next (a usage chunk with <c>[DONE]</c>).</summary>
    public void EndEvent()
    {
        _json.Flush();
        _pipe.Write("\n\n"u8);
    }

    /// <summary>The configured pause after a frame (<see cref="MockServerOptions.TokenDelay"/>), on the injected clock.</summary>
    public Task PaceAsync() =>
        _options.TokenDelay > TimeSpan.Zero ? Task.Delay(_options.TokenDelay, _options.TimeProvider, _cancellationToken) : Task.CompletedTask;

    /// <summary>Ends the stream with <c>data: [DONE]</c>; nothing follows it.</summary>
    public ValueTask<FlushResult> DoneAsync()
    {
        _pipe.Write("data: [DONE]\n\n"u8);
        return _pipe.FlushAsync(_cancellationToken);
    }

    public void Dispose() => _json.Dispose();
}
