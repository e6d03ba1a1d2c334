using System.Net;
using System.Net.Sockets;

namespace Conformance.Tests.Http;

/// <summary>
/// A loopback port whose TCP handshake never completes, like a wrong address or a firewall that drops packets: a socket
/// listens with a backlog of 1, never accepts, and two raw connects fill its queue, so Linux drops further SYNs
/// (net.ipv4.tcp_abort_on_overflow = 0, the default) and a connect waits until the client gives up.
/// </summary>
internal sealed class FullBacklogListener : IDisposable
{
    private readonly Socket _listener = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
    private readonly List<Socket> _fillers = [];

    public FullBacklogListener()
    {
        _listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _listener.Listen(1);
        Port = ((IPEndPoint)_listener.LocalEndPoint!).Port;
        for (var i = 0; i < 2; i++)
        {
            var filler = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            filler.Connect(IPAddress.Loopback, Port); // completes: the queue holds backlog + 1 connections
            _fillers.Add(filler);
        }
    }

    public int Port { get; }

    public void Dispose()
    {
        foreach (var filler in _fillers)
        {
            filler.Dispose();
        }

        _listener.Dispose();
    }
}
