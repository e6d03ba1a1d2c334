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
            var (before, beforeError) = await ReadAsync(parse.GetRequiredValue(oldFile), ct);
            var (after, afterError) = await ReadAsync(parse.GetRequiredValue(newFile), ct);
            if (before is null || after is null)
            {
                // A file that is not a usable report is a usage error (2), never a "regression" (1).
                await env.Error.WriteLineAsync($"error: {beforeError ?? afterError}");
                return CliApp.UsageError;
            }

            var result = ReportDiff.Compare(before, after);
            await env.Out.WriteAsync(ReportDiff.Render(result));
            return result.Regressed ? CliApp.Failed : CliApp.Passed;
        });
    }

    private static async Task<(ConformanceReport? Report, string? Error)> ReadAsync(FileInfo file, CancellationToken ct)
    {
        try
        {
            return (JsonReport.Deserialize(await File.ReadAllTextAsync(file.FullName, ct)), null);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException or NotSupportedException or ArgumentException)
        {
            return (null, $"{file.FullName}: {CliApp.UserMessage(ex)}");
        }
    }
}
