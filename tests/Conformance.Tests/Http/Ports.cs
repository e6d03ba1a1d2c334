using System.Net;
using System.Net.Sockets;

namespace Conformance.Tests.Http;

/// <summary>Loopback ports for tests of unreachable endpoints.</summary>
internal static class Ports
{
    /// <summary>A loopback port that was just free and has nothing listening: connecting to it is refused.</summary>
    public static int Closed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
