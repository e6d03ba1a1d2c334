using System.Globalization;
using System.Text;

namespace MockServer.Recording;

/// <summary>
/// Writes each exchange to its own file in the record directory: <c>{endpoint}-{hash of the key}-{n}.json</c>, n
/// counting the times the same request was recorded (so a retry sequence is kept in order). A file appears whole or
/// not at all (written aside, then moved), so replay never reads half a recording.
/// </summary>
internal sealed class RecordingWriter(string directory)
{
    private readonly Lock _gate = new();

    public string Directory => directory;

    /// <returns>The file name written.</returns>
    public string Write(RecordedExchange exchange, Uri upstream, SecretScrubber scrubber)
    {
        var bytes = RecordingFile.Write(exchange, upstream);

        // Everything in the file was scrubbed on the way in; this is the last net (a form of the key split over two
        // fields cannot be, but the key whole, in any field, can).
        var text = Encoding.UTF8.GetString(bytes);
        if (scrubber.Scrub(text) is var scrubbed && !ReferenceEquals(scrubbed, text) && scrubbed != text)
        {
            bytes = Encoding.UTF8.GetBytes(scrubbed);
        }

        var stem = RecordingFile.Stem(exchange);
        lock (_gate)
        {
            System.IO.Directory.CreateDirectory(directory);
            var temp = Path.Combine(directory, $".{stem}.tmp");
            File.WriteAllBytes(temp, bytes); // small, and under the lock that picks the name
            for (var n = 1; ; n++)
            {
                var name = string.Create(CultureInfo.InvariantCulture, $"{stem}-{n:0000}.json");
                var path = Path.Combine(directory, name);
                if (File.Exists(path))
                {
                    continue;
                }

                File.Move(temp, path);
                return name;
            }
        }
    }
}
