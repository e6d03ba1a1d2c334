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
    /// <summary>Numbers this process's temporary files, so none is shared (with the process id, across recorders too).</summary>
    private static long _temps;

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

        // Another recorder (another server, another process) may share the directory: the temporary file's name is
        // this writer's alone, and a name it takes between the check and the move sends this one to the next.
        System.IO.Directory.CreateDirectory(directory);
        var temp = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $".{stem}.{Environment.ProcessId}.{Interlocked.Increment(ref _temps)}.tmp"));
        File.WriteAllBytes(temp, bytes);
        try
        {
            lock (_gate)
            {
                for (var n = 1; ; n++)
                {
                    var name = string.Create(CultureInfo.InvariantCulture, $"{stem}-{n:0000}.json");
                    var path = Path.Combine(directory, name);
                    if (File.Exists(path))
                    {
                        continue;
                    }

                    try
                    {
                        File.Move(temp, path, overwrite: false);
                        return name;
                    }
                    catch (IOException) when (File.Exists(path))
                    {
                        // taken meanwhile by another recorder: try the next number
                    }
                }
            }
        }
        finally
        {
            File.Delete(temp); // gone once moved; left behind only when the move failed for good
        }
    }
}
