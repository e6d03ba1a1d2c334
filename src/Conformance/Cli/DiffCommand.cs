using System.CommandLine;
using Conformance.Reporting;

namespace Conformance.Cli;

/// <summary><c>diff OLD.json NEW.json</c>: every verdict and observed behaviour that changed; exit 1 when a verdict got worse.</summary>
internal sealed class DiffCommand : Command
{
    public DiffCommand(CliEnvironment env)
        : base("diff", "Compare two JSON reports (before and after an upgrade): verdict and observed-behaviour changes. Exit 1 on a regression.")
    {
        var oldFile = new Argument<FileInfo>("OLD") { Description = "The earlier JSON report." };
        var newFile = new Argument<FileInfo>("NEW") { Description = "The later JSON report." };
        Arguments.Add(oldFile);
        Arguments.Add(newFile);
        SetAction(async (parse, ct) =>
        {
            ConformanceReport before;
            ConformanceReport after;
            try
            {
                before = JsonReport.Deserialize(await File.ReadAllTextAsync(parse.GetRequiredValue(oldFile).FullName, ct));
                after = JsonReport.Deserialize(await File.ReadAllTextAsync(parse.GetRequiredValue(newFile).FullName, ct));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
            {
                await env.Error.WriteLineAsync($"error: {ex.Message}");
                return CliApp.UsageError;
            }

            var result = ReportDiff.Compare(before, after);
            await env.Out.WriteAsync(ReportDiff.Render(result));
            return result.Regressed ? CliApp.Failed : CliApp.Passed;
        });
    }
}
