using System.Net;
using System.Net.Sockets;
using System.Text;

namespace MockServer.Tests.Recording;

/// <summary>
/// An upstream that starts a chunked SSE answer, sends two frames and closes the connection without the final chunk:
/// a stream broken off mid-way, as a crashing server leaves it. Raw TCP, so the close is a clean FIN after the frames
/// (an aborting web server may reset the socket, and a reset can discard frames the proxy has not read yet).
/// </summary>
internal sealed class BreakingUpstream : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly Task _serving;

    public BreakingUpstream()
    {
        _listener.Start();
        BaseUrl = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/v1");
        _serving = ServeAsync();
    }

    public Uri BaseUrl { get; }

    public const string Frame1 = "data: {\"id\":\"x-3\",\"text\":\"one\"}\n\n";
    public const string Frame2 = "data: {\"id\":\"x-3\",\"text\":\"two\"}\n\n";

    public void Dispose()
    {
        _listener.Stop();
        _ = _serving.Exception; // observed: it ends when the listener stops
    }

    private async Task ServeAsync()
    {
        while (true)
        {
            using var socket = await _listener.AcceptSocketAsync();
            await using var stream = new NetworkStream(socket);
            var head = new StringBuilder();
            var buffer = new byte[4096];
            int contentLength = 0, bodyStart;
            while ((bodyStart = head.ToString().IndexOf("\r\n\r\n", StringComparison.Ordinal)) < 0)
            {
                var n = await stream.ReadAsync(buffer);
                head.Append(Encoding.ASCII.GetString(buffer, 0, n));
            }

            foreach (var line in head.ToString()[..bodyStart].Split("\r\n"))
            {
                if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
                {
                    contentLength = int.Parse(line["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            var read = head.Length - (bodyStart + 4);
            while (read < contentLength)
            {
                read += await stream.ReadAsync(buffer);
            }

            var response = new StringBuilder("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
            foreach (var frame in new[] { Frame1, Frame2 })
            {
                response.Append(System.Globalization.CultureInfo.InvariantCulture, $"{Encoding.UTF8.GetByteCount(frame):x}\r\n{frame}\r\n");
            }

            await stream.WriteAsync(Encoding.UTF8.GetBytes(response.ToString()));
            await stream.FlushAsync();
            socket.Shutdown(SocketShutdown.Send); // FIN without the final 0-length chunk
            while (await stream.ReadAsync(buffer) > 0)
            {
                // let the proxy close its end first, so nothing here resets the connection
            }
        }
    }
}
