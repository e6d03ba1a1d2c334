using Conformance.Http;

namespace Conformance.Matrix;

/// <summary>One target's outcome: its report, or why it could not be checked (never both).</summary>
/// <param name="Target">The target.</param>
/// <param name="Report">The report of its run, or null when it was not checked.</param>
/// <param name="Error">Why it was not checked (preflight problem, key variable unset), or null.</param>
internal sealed record MatrixColumn(MatrixTarget Target, ConformanceReport? Report, string? Error)
{
    /// <summary>Gets a value indicating whether the target was checked and every check that applies passed.</summary>
    public bool Succeeded => Report is { Succeeded: true };
}

/// <summary>
/// Runs the suite against each target of a matrix, one after another, through the same runner and preflight as a
/// single run. A target that cannot be checked (nothing listening, a refused key, its key variable unset) becomes a
/// column with an error; it never stops the other targets.
/// </summary>
internal static class MatrixRun
{
    /// <param name="targets">The targets, in column order.</param>
    /// <param name="getVariable">Reads an environment variable: the only source of keys.</param>
    /// <param name="clock">The clock of the runs.</param>
    /// <param name="done">Told about each column as it finishes (progress).</param>
    /// <param name="ct">Cancels the remaining runs.</param>
    public static async Task<IReadOnlyList<MatrixColumn>> RunAsync(
        IReadOnlyList<MatrixTarget> targets, Func<string, string?> getVariable, TimeProvider clock, Action<MatrixColumn>? done, CancellationToken ct)
    {
        var columns = new List<MatrixColumn>(targets.Count);
        foreach (var target in targets)
        {
            var column = await RunOneAsync(target, getVariable, clock, ct).ConfigureAwait(false);
            columns.Add(column);
            done?.Invoke(column);
        }

        return columns;
    }

    /// <summary>
    /// The redactor of the text the columns share (headings, progress lines, the joined pages): every secret of every
    /// target, but only its long forms (<see cref="Http.Redactor.ForSharedText"/>). Each column's own text (report,
    /// evidence, error) already went through its own run's full redactor in <see cref="RunAsync"/>, so one target's
    /// short key form (<c>sk-models</c> masks <c>models</c> whole) never corrupts another target's cells.
    /// </summary>
    public static Redactor SharedRedactor(IReadOnlyList<MatrixTarget> targets, Func<string, string?> getVariable) =>
        Http.Redactor.ForSharedText(targets.SelectMany(t => ExtraHeaders.Secrets(t.Options(Key(t, getVariable), TimeProvider.System)).Prepend(Key(t, getVariable) ?? string.Empty)));

    private static async Task<MatrixColumn> RunOneAsync(MatrixTarget target, Func<string, string?> getVariable, TimeProvider clock, CancellationToken ct)
    {
        var key = Key(target, getVariable);
        if (target.ApiKeyEnv is { } variable && key is null)
        {
            // Not run without its key: every auth-dependent check would fail for a reason that is no fault of the endpoint.
            return new(target, null, $"environment variable {variable} (apiKeyEnv) is not set or empty");
        }

        if (key is not null && !key.All(ch => ch is >= ' ' and <= '~'))
        {
            return new(target, null, $"the key in {target.ApiKeyEnv} contains control or non-ASCII characters (for example a line break inside it)");
        }

        var options = target.Options(key, clock);
        try
        {
            // A wrong target is one line in its column, as it is one line and exit 2 for a single run (docs/conformance.md, "Preflight").
            if (await ConformanceRunner.PreflightAsync(options, ct).ConfigureAwait(false) is { } problem)
            {
                return new(target, null, ForMatrix(problem, target.ApiKeyEnv));
            }

            return new(target, await ConformanceRunner.RunAsync(options, ct).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is not (OutOfMemoryException or OperationCanceledException))
        {
            // The runner turns whatever an endpoint does into verdicts; this is the backstop that keeps one column's
            // surprise from taking the other columns down with it. The message goes through the run's redactor.
            return new(target, null, Http.Redactor.For(options).Redact($"the run stopped: {ex.GetType().Name}: {Cli.CliApp.UserMessage(ex)}"));
        }
    }

    /// <summary>The preflight's key advice for a single run (<c>--api-key</c>, <c>OPENAI_API_KEY</c>) said the matrix's way: the target's own variable.</summary>
    private static string ForMatrix(string problem, string? variable) => problem
        .Replace(Preflight.NoKeyHint, variable is null ? "name the key's environment variable in apiKeyEnv" : $"set {variable} (apiKeyEnv)", StringComparison.Ordinal)
        .Replace(Preflight.RefusedKeyHint, variable is null ? "name the key's environment variable in apiKeyEnv" : $"check the key in {variable} (apiKeyEnv)", StringComparison.Ordinal);

    /// <summary>The target's key, trimmed, from the variable its config names; null when it names none or the variable is empty.</summary>
    private static string? Key(MatrixTarget target, Func<string, string?> getVariable) =>
        target.ApiKeyEnv is { } name && getVariable(name) is { } value && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
}
