using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// The upstream key streamed in pieces (review of issue 9): each frame alone holds no form of the key, so the per-frame
/// scrubber lets them all through, but joined (as a client joins a stream's text) they are the key. Such a recording is
/// not written at all, and the log says why without the key.
/// </summary>
public sealed class RecordingSplitSecretTests : IDisposable
{
    private readonly string _dir = RecordingHarness.TempDirectory("mock-recording-split-");
    private readonly string _variable = "MOCK_RECORD_TEST_KEY_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
    private readonly string _key = "sk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public RecordingSplitSecretTests() => Environment.SetEnvironmentVariable(_variable, _key);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        Directory.Delete(_dir, recursive: true);
    }

    public static TheoryData<string, string> Shapes => new()
    {
        { "completions", """{"id":"cmpl-1","choices":[{"index":0,"text":"PIECE"}]}""" },
        { "chat", """{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"content":"PIECE"}}]}""" },
        { "chat", """{"id":"chatcmpl-1","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"PIECE"}}]}}]}""" },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public async Task A_key_streamed_in_three_pieces_is_not_written_to_disk(string endpoint, string chunk)
    {
        var third = _key.Length / 3;
        string[] pieces = [_key[..third], _key[third..(2 * third)], _key[(2 * third)..]];
        await using var upstream = await ScriptedUpstream.StartAsync(
            [.. pieces.Select(p => "data: " + chunk.Replace("PIECE", p, StringComparison.Ordinal) + "\n\n"), "data: [DONE]\n\n"]);
        await using var recorder = await MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = upstream.BaseUrl, RecordDirectory = _dir, RecordKeyEnvironmentVariable = _variable });
        var logs = new CapturedLogs();
        recorder.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        using var client = Api.ClientFor(recorder);
        var body = endpoint == "chat"
            ? """{"model":"gpt-x","messages":[{"role":"user","content":"hi"}],"stream":true}"""
            : """{"model":"base-x","prompt":"hi","stream":true}""";

        var answer = await client.SendAsync(new Exchange("split", HttpMethod.Post, endpoint == "chat" ? "chat/completions" : "completions", body));

        answer.Status.Should().Be(200);
        answer.Text.Should().Contain(pieces[1], "the stream itself is relayed; only the recording is refused");
        var written = Directory.GetFiles(_dir, "*", SearchOption.AllDirectories);
        foreach (var file in written)
        {
            var text = await File.ReadAllTextAsync(file);
            text.Should().NotContain(_key).And.NotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(_key)));
        }

        written.Should().BeEmpty("joined, the frames hold the key");
        var reason = await logs.WaitForEventAsync(63).WaitAsync(Timed.HangGuard);
        reason.Should().Contain("key in pieces").And.NotContain(_key);
        string.Join("\n", logs.Entries.Select(e => e.Message)).Should().NotContain(pieces[0]).And.NotContain(pieces[1]);
    }
}
