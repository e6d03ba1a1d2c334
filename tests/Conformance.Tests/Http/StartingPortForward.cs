using System.Net.Sockets;

namespace Conformance.Tests.Http;

/// <summary>
/// A port-forward (docker-proxy, <c>kubectl port-forward</c>) in front of a backend that is still starting: until the
/// test sets <see cref="Ready"/> it accepts every connection and closes it without a byte (as often as .NET's handler
/// retries it on its own), then it pipes every connection to the backend.
/// </summary>
internal sealed class StartingPortForward : IAsyncDisposable
{
    private readonly RawTcpServer _server;
    private readonly Uri _backend;
    private int _connections;
    private volatile bool _ready;

    private StartingPortForward(Uri backend)
    {
        _backend = backend;
        _server = RawTcpServer.Start(ServeAsync);
        BaseUrl = new Uri($"http://127.0.0.1:{_server.Port}{backend.AbsolutePath.TrimEnd('/')}");
    }

    public Uri BaseUrl { get; }

    /// <summary>Gets how many connections were accepted, closed or piped.</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Gets or sets whether the backend has started (connections are piped) or not (they are closed).</summary>
    public bool Ready
    {
        get => _ready;
        set => _ready = value;
    }

    public static StartingPortForward Start(Uri backend) => new(backend);

    public ValueTask DisposeAsync() => _server.DisposeAsync();

    private async Task ServeAsync(NetworkStream client, CancellationToken ct)
    {
        Interlocked.Increment(ref _connections);
        if (!_ready)
        {
            return;
        }

        using var upstream = new TcpClient();
        await upstream.ConnectAsync(_backend.Host, _backend.Port, ct);
        var backend = upstream.GetStream();
        await Task.WhenAny(client.CopyToAsync(backend, ct), backend.CopyToAsync(client, ct));
    }
}
