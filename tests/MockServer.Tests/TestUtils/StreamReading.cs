using System.Text;

namespace MockServer.Tests.TestUtils;

/// <summary>Reading a response body piece by piece, to see what a server has sent so far.</summary>
internal static class StreamReading
{
    /// <summary>Reads until <paramref name="terminator"/> (e.g. the end of one SSE event) or the end of the body.</summary>
    public static async Task<string> ReadUntilAsync(Stream stream, string terminator)
    {
        var bytes = new List<byte>();
        var buffer = new byte[1];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10)); // a hang guard, never reached when the behaviour holds
        while (!Encoding.UTF8.GetString([.. bytes]).EndsWith(terminator, StringComparison.Ordinal))
        {
            var n = await stream.ReadAsync(buffer, timeout.Token);
            if (n == 0)
            {
                break;
            }

            bytes.Add(buffer[0]);
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }
}
