using System.CommandLine;
using Conformance.Matrix;
using Conformance.Reporting;

namespace Conformance.Cli;

/// <summary>
/// <c>matrix --config FILE</c>: the suite against every target of a config file, one after another, as one table of
/// verdicts per check and target (markdown, HTML, JSON). Exit codes as for a run: 0 every target checked and passed,
/// 1 a check failed or a target could not be checked, 2 a usage or config error (nothing was run) or a report that could not be written.
/// </summary>
internal sealed class MatrixCommand : Command
{
    private readonly Option<FileInfo> _config = new("--config") { HelpName = "FILE", Description = "The targets (schemas/matrix-targets.schema.json): name, baseUrl, model, profile, apiKeyEnv (the NAME of the key's environment variable).", Required = true };
    private readonly Option<FileInfo?> _markdown = new("--markdown") { HelpName = "FILE", Description = "Write the matrix as markdown here (default: print it)." };
    private readonly Option<FileInfo?> _html = new("--html") { HelpName = "FILE", Description = "Write the matrix as one self-contained HTML file here." };
    private readonly Option<FileInfo?> _json = new("--json") { HelpName = "FILE", Description = "Write every target's full JSON report (or why it was not checked) here." };
    private readonly Option<bool> _quiet = new("--quiet") { Description = "No line per finished target." };

    private readonly CliEnvironment _env;

    public MatrixCommand(CliEnvironment env)
        : base("matrix", "Run the checks against several targets from a config file; write one table of verdicts per check and target. Exit 1 when any target fails or cannot be checked.")
    {
        _env = env;
        foreach (Option option in (Option[])[_config, _markdown, _html, _json, _quiet])
        {
            Options.Add(option);
        }

        SetAction(ExecuteAsync);
    }

    private async Task<int> ExecuteAsync(ParseResult parse, CancellationToken ct)
    {
        var config = parse.GetRequiredValue(_config);
        IReadOnlyList<MatrixTarget> targets;
        try
        {
            targets = await MatrixConfig.LoadAsync(config.FullName, ct);
        }
        catch (MatrixConfigException ex)
        {
            // Keys belong in the environment, but one pasted into the file (e.g. as the profile) would be quoted back:
            // the message is redacted with the values of every variable the file names, and the ones the CLI knows.
            var keys = new Http.Redactor(null, ex.KeyVariables.Select(_env.GetVariable).OfType<string>());
            await _env.Error.WriteLineAsync("error: " + CliApp.RedactKeys(keys.Redact(ex.Message), null, _env));
            return CliApp.UsageError;
        }

        // Each column's report and error come redacted with its own target's secrets (MatrixRun); what joins them is
        // redacted once more with every target's long secret forms only, so no target's short key masks another's words.
        var redactor = MatrixRun.SharedRedactor(targets, _env.GetVariable);
        var quiet = parse.GetValue(_quiet);
        var done = 0;
        var columns = await MatrixRun.RunAsync(targets, _env.GetVariable, _env.Clock ?? TimeProvider.System, column =>
        {
            done++;
            if (!quiet)
            {
                _env.Out.WriteLine(redactor.Redact($"[{done}/{targets.Count}] {column.Target.Name}: {MatrixTable.Result(column)}"));
            }
        }, ct);

        var table = new MatrixTable(columns);
        var markdown = parse.GetValue(_markdown);
        var html = parse.GetValue(_html);
        var json = parse.GetValue(_json);
        try
        {
            if (markdown is null && html is null && json is null)
            {
                await _env.Out.WriteAsync("\n" + redactor.Redact(MatrixMarkdown.Render(table)));
            }

            foreach (var (file, render) in ((FileInfo?, Func<string>)[])[(markdown, () => MatrixMarkdown.Render(table)), (html, () => MatrixHtml.Render(table)), (json, () => MatrixJson.Serialize(columns))])
            {
                if (file is not null)
                {
                    await ReportFile.WriteAsync(file.FullName, redactor.Redact(render()), ct);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await _env.Error.WriteLineAsync("error: could not write a report: " + redactor.Redact(CliApp.UserMessage(ex)));
            return CliApp.UsageError;
        }

        return columns.All(c => c.Succeeded) ? CliApp.Passed : CliApp.Failed;
    }
}
