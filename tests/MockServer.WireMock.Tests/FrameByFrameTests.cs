using System.Text;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.WireMock.Tests;

/// <summary>
/// Streams through WireMock are the mock's own, frame by frame: each SSE event reaches the client when the mock writes
/// it, not when the response ends (WireMock's SSE builder and proxy hand a stream over as one body).
/// </summary>
public sealed class FrameByFrameTests
{
    /// <summary>Fails a test that would otherwise hang; never reached when the behaviour holds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Each_frame_arrives_while_the_mock_still_waits_to_write_the_next()
    {
        var clock = new WatchedTimeProvider();
        var delay = TimeSpan.FromSeconds(1);
        var options = new MockServerOptions { TimeProvider = clock, TokenDelay = delay };
        string[] tokens = [" one", " two", " three", " four", " five"];
        options.Fixtures.Add(FixtureDocument.Completion("Count:", tokens));
        await using var env = await WireMockWithMock.StartAsync(options);
        using var client = env.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions")
        {
            Content = new StringContent("""{"model":"llama-8b","prompt":"Count:","max_tokens":5,"stream":true}""", Encoding.UTF8, "application/json"),
        };

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(HangGuard);
        await using var body = await response.Content.ReadAsStreamAsync();

        // Frame k is sent k token delays after the first, and the fake clock moves only when this test says so: so each
        // frame read below was flushed to the client while the mock was still waiting to write the ones after it.
        for (var k = 0; k < tokens.Length; k++)
        {
            if (k > 0)
            {
                await clock.WaitForPendingAsync(1).WaitAsync(HangGuard); // the mock waits on the clock for frame k
                await Task.Run(() => clock.Advance(delay)); // off the test's synchronization context
            }

            var frame = await StreamReading.ReadUntilAsync(body, "\n\n").WaitAsync(HangGuard);
            frame.Should().StartWith("data: {").And.Contain($"\"text\":\"{tokens[k]}\"");
            if (k + 1 < tokens.Length)
            {
                frame.Should().NotContain(tokens[k + 1]);
                env.Mock.Journal.Entries().Should().BeEmpty("the stream is still being written");
            }
        }

        (await new StreamReader(body).ReadToEndAsync().WaitAsync(HangGuard)).Should().EndWith("data: [DONE]\n\n");
    }
}
