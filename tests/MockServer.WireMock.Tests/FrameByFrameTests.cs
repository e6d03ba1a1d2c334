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
    public async Task Frames_arrive_one_by_one_the_first_while_the_mock_still_waits_to_write_the_next()
    {
        var clock = new WatchedTimeProvider();
        var start = clock.GetUtcNow();
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

        // Frame k is due k token delays after the first, and the fake clock moves only when this test says so. Frame 0
        // arrives before the clock has ever moved: the mock is then still waiting on the clock to write frame 1, so a
        // stream buffered anywhere (by WireMock, or up to the response's end) never shows it, and the test fails on
        // its guard. Later frames come one event at a time as the clock moves, each when the mock waits on a timer
        // (an advance that lands just before the timer is armed is made up by the next round).
        var first = await StreamReading.ReadUntilAsync(body, "\n\n").WaitAsync(HangGuard);
        first.Should().StartWith("data: {").And.Contain($"\"text\":\"{tokens[0]}\"").And.NotContain(tokens[1]);
        clock.GetUtcNow().Should().Be(start, "no frame after the first was due yet");
        env.Mock.Journal.Entries().Should().BeEmpty("the request is still being answered");

        for (var k = 1; k < tokens.Length; k++)
        {
            var read = StreamReading.ReadUntilAsync(body, "\n\n");
            while (!read.IsCompleted && await Task.WhenAny(read, clock.WaitForPendingAsync(1)).WaitAsync(HangGuard) != read)
            {
                await Task.Run(() => clock.Advance(delay)); // off the test's synchronization context
            }

            (await read).Should().Contain($"\"text\":\"{tokens[k]}\"");
        }

        (await new StreamReader(body).ReadToEndAsync().WaitAsync(HangGuard)).Should().EndWith("data: [DONE]\n\n");
    }
}
