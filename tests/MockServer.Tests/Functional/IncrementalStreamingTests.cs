using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockServer.Fixtures;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Functional;

/// <summary>
/// Streams are produced as they are written (issue 8, REVIEW.md seam 1): the generator runs only as far as the
/// client has read, a reader that stops holds a bounded amount of work, and one that makes no progress for the write
/// timeout is cut off, logged.
/// </summary>
public sealed class IncrementalStreamingTests
{
    /// <summary>Fails a test that would otherwise hang; never reached when the behaviour holds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("completions", """{"model":"llama-8b","prompt":"Count:","max_tokens":5,"stream":true}""", "\"text\":\" one\"")]
    [InlineData("chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Count:"}],"max_tokens":5,"stream":true}""", "\"content\":\" one\"")]
    [InlineData("chat/completions", """{"model":"deepseek/deepseek-v4-flash","messages":[{"role":"user","content":"Count:"}],"max_tokens":5,"stream":true}""", "\"content\":\" one\"")]
    [InlineData("completions", """{"model":"llama-8b","prompt":"Count:","max_tokens":5,"stream":true,"n":2}""", "\"index\":1,\"text\":\" one\"")]
    public async Task Frame_1_arrives_while_token_3_is_still_being_produced(string path, string json, string firstText)
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(FixtureDocument.Completion("Count:", [" one", " two", " three", " four", " five"]));
        options.Fixtures.Add(FixtureDocument.Chat("Count:", [" one", " two", " three", " four", " five"]));
        await using var mock = await MockLlmServer.StartAsync(options);
        var engine = mock.Services.GetRequiredService<CompletionEngine>();
        using var release = new ManualResetEventSlim();
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        // The generator blocks before its third token. Frame 1 (" one") is complete once token 2 has opened frame 2
        // (the finish rides on the last visible frame, so a frame waits for the next token, never for the rest).
        engine.BeforeToken = step =>
        {
            if (step == 2)
            {
                blocked.TrySetResult();
                release.Wait(HangGuard);
            }
        };

        using var client = Api.ClientFor(mock);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(HangGuard);
        await using var body = await response.Content.ReadAsStreamAsync();

        // Chat's first frame is the role chunk: read up to the first content frame.
        var received = "";
        while (!received.Contains(firstText, StringComparison.Ordinal) && !received.EndsWith("[DONE]\n\n", StringComparison.Ordinal))
        {
            received += await StreamReading.ReadUntilAsync(body, "\n\n").WaitAsync(HangGuard);
        }

        blocked.Task.IsCompleted.Should().BeTrue("the generator is held before token 3");
        received.Should().Contain(firstText).And.NotContain(" two");
        release.Set();
        var rest = await new StreamReader(body).ReadToEndAsync().WaitAsync(HangGuard);
        (received + rest).Should().Contain(" five").And.EndWith("data: [DONE]\n\n");
    }

    [Theory]
    [InlineData("disconnect_after=2")]
    [InlineData("error_after=2")]
    public async Task A_fault_that_ends_the_stream_ends_the_generation_too(string fault)
    {
        await using var mock = await MockLlmServer.StartAsync();
        var engine = mock.Services.GetRequiredService<CompletionEngine>();
        var produced = 0;
        engine.BeforeToken = step => Volatile.Write(ref produced, step + 1);
        using var client = Api.ClientFor(mock);
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions")
        {
            Content = new StringContent("""{"model":"llama-8b","prompt":"Once upon a time","max_tokens":100000,"temperature":0,"stream":true}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Mock-Fault", fault);

        using var response = await client.SendAsync(request).WaitAsync(HangGuard);

        // The body ends when the handler returns: by then the generator has stopped for good.
        (await response.Content.ReadAsStringAsync()).Should().NotContain("\"finish_reason\":\"length\"");
        Volatile.Read(ref produced).Should().BeLessThan(10, "a client that gets nothing more costs no more tokens");
    }

    [Fact]
    public async Task A_reader_that_stops_reading_holds_the_generator_back_and_is_cut_off_after_the_write_timeout()
    {
        var clock = new WatchedTimeProvider();
        var options = new MockServerOptions { TimeProvider = clock, WriteTimeout = TimeSpan.FromSeconds(20) };
        await using var mock = await MockLlmServer.StartAsync(options);
        using var logs = new CapturedLogs();
        mock.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var engine = mock.Services.GetRequiredService<CompletionEngine>();
        var produced = 0;
        engine.BeforeToken = step => Volatile.Write(ref produced, step + 1);

        // Greedy sampling never ends this model's text early: 100,000 tokens of about 700 bytes each with 5 alternatives.
        const int MaxTokens = 100_000;
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { ReceiveBufferSize = 4096 };
        await socket.ConnectAsync(mock.BaseUrl.Host, mock.BaseUrl.Port);
        var json = $$"""{"model":"llama-8b","prompt":"Once upon a time","max_tokens":{{MaxTokens}},"temperature":0,"logprobs":5,"stream":true}""";
        var head = $"POST /v1/completions HTTP/1.1\r\nHost: {mock.BaseUrl.Authority}\r\nContent-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(json)}\r\n\r\n";
        await socket.SendAsync(Encoding.UTF8.GetBytes(head + json));

        // The client reads nothing: once the transport's buffers are full the server's flush waits, and the write
        // timeout's timer is what it waits on. While the buffers still fill, a flush may wait a moment and go on, its
        // timer disposed: so the clock moves half a timeout at a time whenever a timer is armed. A flush that goes on
        // arms a fresh timer, never fired by these steps; only one that waits for good sees its timer fire.
        var timedOut = logs.WaitForEventAsync(LogEvents.WriteTimedOut);
        for (var step = 0; !timedOut.IsCompleted; step++)
        {
            step.Should().BeLessThan(10_000, "the stream must stall and time out");
            if (await Task.WhenAny(clock.WaitForPendingAsync(1), timedOut).WaitAsync(HangGuard) != timedOut)
            {
                await Task.Run(() => clock.Advance(options.WriteTimeout / 2)); // off the test's synchronization context
            }
        }

        (await timedOut).Should().Contain("/v1/completions").And.Contain("20000 ms");
        Volatile.Read(ref produced).Should().BeGreaterThan(0).And.BeLessThan(MaxTokens / 4, "generation waited for the reader instead of running to max_tokens");

        // The connection is closed from the server's side: what the buffers held drains, then the body ends.
        var buffer = new byte[64 * 1024];
        try
        {
            while (await socket.ReceiveAsync(buffer, SocketFlags.None).WaitAsync(HangGuard) > 0)
            {
            }
        }
        catch (SocketException)
        {
            // aborted with a reset: ended all the same
        }

        Volatile.Read(ref produced).Should().BeLessThan(MaxTokens / 4, "the generator stopped with the stream");
        using var client = Api.ClientFor(mock);
        var (status, _, _) = await client.CompleteAsync("""{"model":"llama-8b","prompt":"Still here?","max_tokens":2}""");
        status.Should().Be(200);
    }
}
