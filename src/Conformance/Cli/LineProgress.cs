using Conformance.Reporting;

namespace Conformance.Cli;

/// <summary>Writes one line per finished check; synchronous so lines never interleave or arrive after the summary.</summary>
internal sealed class LineProgress(TextWriter writer, int total) : IProgress<CheckReport>
{
    private readonly Lock _gate = new();
    private int _done;

    public void Report(CheckReport value)
    {
        lock (_gate)
        {
            writer.WriteLine(ConsoleReport.Progress(value, ++_done, total));
        }
    }
}
