using MockServer.Recording;

namespace MockServer.Tests.Recording;

/// <summary>
/// Two recorders sharing a directory (review of issue 9): each writes its own temporary file, so neither trips on
/// the other's.
/// </summary>
public sealed class RecordingSharedDirectoryTests : IDisposable
{
    private readonly string _dir = RecordingHarness.TempDirectory("mock-recording-shared-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void A_temporary_file_another_recorder_holds_does_not_stop_this_one()
    {
        var exchange = new RecordedExchange
        {
            Name = "", Endpoint = "models", Method = "GET", Path = "/v1/models", Match = """{"query":""}""", Status = 200,
            Headers = [], Body = "{}"u8.ToArray(),
        };
        Directory.CreateDirectory(_dir);

        // Another recorder mid-write, under the name every recorder used to share.
        using var held = new FileStream(Path.Combine(_dir, $".{RecordingFile.Stem(exchange)}.tmp"), FileMode.CreateNew, FileAccess.Write, FileShare.None);
        var name = new RecordingWriter(_dir).Write(exchange, new Uri("http://127.0.0.1:9/v1"), SecretScrubber.None);

        File.ReadAllText(Path.Combine(_dir, name)).Should().Contain("\"path\": \"/v1/models\"");
        Directory.GetFiles(_dir, "*.tmp").Should().ContainSingle("this writer leaves no temporary file of its own");
    }
}
