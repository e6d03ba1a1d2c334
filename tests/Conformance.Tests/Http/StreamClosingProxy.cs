using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Conformance.Tests.Http;

/// <summary>
/// A raw HTTP/1.1 keep-alive front for another server that, like a current llama.cpp server (spec-facts §12.1), closes
/// the TCP connection after every event stream without sending <c>Connection: close</c>. Kestrel cannot be made to do
/// that, so this speaks the little HTTP/1.1 the suite's client needs: Content-Length request bodies, Content-Length
/// answers, chunked event streams.
/// </summary>
internal sealed class StreamClosingProxy : IAsyncDisposable
{
    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();

    private readonly HttpClient _upstream = new(new SocketsHttpHandler { AllowAutoRedirect = false });
    private readonly Uri _origin;
    private readonly RawTcpServer _server;
    private int _streamsClosed;

    private StreamClosingProxy(Uri upstream)
    {
        _origin = new Uri(upstream.GetLeftPart(UriPartial.Authority));
        _server = RawTcpServer.Start(ServeAsync);
        BaseUrl = new Uri($"http://127.0.0.1:{_server.Port}{upstream.AbsolutePath.TrimEnd('/')}");
    }

    public Uri BaseUrl { get; }

    /// <summary>Gets how many connections were closed right after an event stream.</summary>
    public int StreamsClosed => Volatile.Read(ref _streamsClosed);

    public static StreamClosingProxy Start(Uri upstream) => new(upstream);

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _upstream.Dispose();
    }

    /// <summary>Serves one connection; <see cref="RawTcpServer"/> closes it when this returns.</summary>
    private async Task ServeAsync(NetworkStream stream, CancellationToken stop)
    {
        try
        {
            var buffer = new List<byte>();
            while (await ReadRequestAsync(stream, buffer, stop) is { } request)
            {
                if (await ForwardAsync(request, stream, stop))
                {
                    // The point of this server: the stream is over, the connection goes, and nothing says so. On
                    // loopback a close sent at once always reaches the client's pool before it reuses the
                    // connection, so the race would never show; the close is held until the client sends its next
                    // request on the connection, which is when a slower close lands in practice. That request gets
                    // no byte back, as in spec-facts §12.1.
                    Interlocked.Increment(ref _streamsClosed);
                    await ReadRequestAsync(stream, buffer, stop);
                    return;
                }
            }
        }
        catch (HttpRequestException)
        {
            // The upstream went away: the test is over. (RawTcpServer absorbs the socket-level endings.)
        }
    }

    /// <summary>Forwards one request and writes the answer; true when the answer was an event stream.</summary>
    private async Task<bool> ForwardAsync((string Method, string Target, Dictionary<string, string> Headers, byte[] Body) request, NetworkStream stream, CancellationToken stop)
    {
        using var message = new HttpRequestMessage(new HttpMethod(request.Method), new Uri(_origin, request.Target));
        if (request.Headers.TryGetValue("authorization", out var auth))
        {
            message.Headers.TryAddWithoutValidation("Authorization", auth);
        }

        if (request.Headers.TryGetValue("accept", out var accept))
        {
            message.Headers.TryAddWithoutValidation("Accept", accept);
        }

        if (request.Body.Length > 0 || request.Headers.ContainsKey("content-length"))
        {
            message.Content = new ByteArrayContent(request.Body);
            if (request.Headers.TryGetValue("content-type", out var type))
            {
                message.Content.Headers.TryAddWithoutValidation("Content-Type", type);
            }
        }

        using var response = await _upstream.SendAsync(message, stop);
        var body = await response.Content.ReadAsByteArrayAsync(stop);
        var contentType = response.Content.Headers.TryGetValues("Content-Type", out var types) ? string.Join(", ", types) : null;
        var isStream = contentType?.StartsWith("text/event-stream", StringComparison.OrdinalIgnoreCase) == true;

        var head = new StringBuilder();
        head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
        if (contentType is not null)
        {
            head.Append("Content-Type: ").Append(contentType).Append("\r\n");
        }

        if (response.Headers.TryGetValues("Retry-After", out var retry))
        {
            head.Append("Retry-After: ").Append(string.Join(", ", retry)).Append("\r\n");
        }

        if (isStream)
        {
            head.Append("Transfer-Encoding: chunked\r\n\r\n");
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), stop);
            if (body.Length > 0)
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes(body.Length.ToString("x", CultureInfo.InvariantCulture) + "\r\n"), stop);
                await stream.WriteAsync(body, stop);
                await stream.WriteAsync("\r\n"u8.ToArray(), stop);
            }

            await stream.WriteAsync("0\r\n\r\n"u8.ToArray(), stop);
            return true;
        }

        head.Append(CultureInfo.InvariantCulture, $"Content-Length: {body.Length}\r\n\r\n");
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), stop);
        await stream.WriteAsync(body, stop);
        return false;
    }

    /// <summary>Reads one request (head and Content-Length body); null when the client closed the connection.</summary>
    private static async Task<(string Method, string Target, Dictionary<string, string> Headers, byte[] Body)?> ReadRequestAsync(NetworkStream stream, List<byte> buffer, CancellationToken stop)
    {
        int end;
        while ((end = IndexOf(buffer, HeadEnd)) < 0)
        {
            if (!await FillAsync(stream, buffer, stop))
            {
                return null;
            }
        }

        var lines = Encoding.ASCII.GetString([.. buffer.GetRange(0, end)]).Split("\r\n");
        buffer.RemoveRange(0, end + HeadEnd.Length);
        var requestLine = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var length = headers.TryGetValue("content-length", out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : 0;
        while (buffer.Count < length)
        {
            if (!await FillAsync(stream, buffer, stop))
            {
                return null;
            }
        }

        var body = buffer.GetRange(0, length).ToArray();
        buffer.RemoveRange(0, length);
        return (requestLine[0], requestLine[1], headers, body);
    }

    private static async Task<bool> FillAsync(NetworkStream stream, List<byte> buffer, CancellationToken stop)
    {
        var chunk = new byte[8192];
        var read = await stream.ReadAsync(chunk, stop);
        buffer.AddRange(chunk.AsSpan(0, read));
        return read > 0;
    }

    private static int IndexOf(List<byte> buffer, byte[] pattern)
    {
        for (var i = 0; i + pattern.Length <= buffer.Count; i++)
        {
            if (buffer[i] == pattern[0] && buffer[i + 1] == pattern[1] && buffer[i + 2] == pattern[2] && buffer[i + 3] == pattern[3])
            {
                return i;
            }
        }

        return -1;
    }
}
