using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Conformance.Tests.Http;

/// <summary>
/// A port that speaks only TLS, in process on 127.0.0.1:0, with a self-signed certificate made for the test. Like an
/// OpenSSL-based server, it looks at the first record header and drops a connection whose first bytes are not a TLS
/// handshake record, with the rest of the request unread, so the kernel answers with a reset (SslStream alone would read
/// the whole request into its buffer first and close in order, which servers in the field do not).
/// </summary>
internal static class TlsPort
{
    /// <summary>The content type of a TLS handshake record, the first byte a TLS client sends.</summary>
    private const byte HandshakeRecord = 0x16;

    public static RawTcpServer Start(Action? onConnection = null)
    {
        var certificate = SelfSigned();
        return RawTcpServer.Start(async (stream, ct) =>
        {
            onConnection?.Invoke();
            var header = new byte[5];
            var peeked = await stream.Socket.ReceiveAsync(header, SocketFlags.Peek, ct);
            if (peeked == 0 || header[0] != HandshakeRecord)
            {
                stream.Socket.Close(); // unread bytes in the receive queue: Linux sends RST, not FIN
                return;
            }

            await using var tls = new SslStream(stream, leaveInnerStreamOpen: true);
            try
            {
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, ct);
            }
            catch (Exception ex) when (ex is AuthenticationException or IOException)
            {
                // Not TLS: what a TLS server does is drop the connection.
            }
        });
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        return request.CreateSelfSigned(now.AddYears(-1), now.AddYears(5));
    }
}
