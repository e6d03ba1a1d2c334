using Conformance.Checks;
using Conformance.Profiles;
using MockServer.Hosting;

namespace Conformance.Tests.Matrix;

/// <summary>
/// Every dialect the MockServer serves, judged by the suite under every built-in profile (issue 9, "Self-consistency,
/// proved in CI"). Both sides are enumerated, so a dialect or a profile added later joins the matrix without an edit.
/// </summary>
/// <param name="Dialects">The mock's dialects, in the order it lists them.</param>
/// <param name="Profiles">The suite's profiles, in the order docs/checks.md shows them.</param>
/// <param name="Cells">One cell per dialect and profile, row by row.</param>
/// <param name="Elapsed">How long computing the whole matrix took.</param>
internal sealed record DialectMatrix(IReadOnlyList<string> Dialects, IReadOnlyList<string> Profiles, IReadOnlyList<MatrixCell> Cells, TimeSpan Elapsed)
{
    /// <summary>The base model the completions half requests; it has no chat template, so it is the completions provider's own.</summary>
    public const string CompletionsModel = "llama-8b";

    /// <summary>The model the chat half requests; <c>--profile</c> makes it answer chat in the cell's dialect.</summary>
    public const string ChatModel = "llama-8b-instruct";

    /// <summary>The wall-clock time every cell server reads (see <see cref="PinnedWallClock"/>).</summary>
    public static readonly DateTimeOffset CellNow = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static IReadOnlyList<string> MockDialects => [.. global::MockServer.Dialects.Dialects.All.Select(d => d.Name)];

    public MatrixCell this[string dialect, string profile] =>
        Cells.Single(c => c.Dialect == dialect && c.Profile == profile);

    /// <summary>
    /// Runs every cell, at most <paramref name="parallelism"/> at a time. Each cell has its own server, so no cell's
    /// requests (rate limits, budgets, the journal) can reach another's verdicts.
    /// </summary>
    public static async Task<DialectMatrix> ComputeAsync(int parallelism)
    {
        var started = TimeProvider.System.GetTimestamp();
        var dialects = MockDialects;
        var profiles = BuiltInProfiles.All.Keys.ToList();
        var pairs = dialects.SelectMany(d => profiles.Select(p => (Dialect: d, Profile: p))).ToList();
        var cells = new MatrixCell[pairs.Count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, pairs.Count),
            new ParallelOptions { MaxDegreeOfParallelism = parallelism },
            async (i, _) => cells[i] = await RunCellAsync(pairs[i].Dialect, pairs[i].Profile));
        return new DialectMatrix(dialects, profiles, cells, TimeProvider.System.GetElapsedTime(started));
    }

    /// <summary>
    /// One cell: the completions checks on the base model, then the chat checks (tool probe included) on the instruct
    /// model, against one server started with <c>--profile</c> <paramref name="dialect"/>.
    /// </summary>
    public static async Task<MatrixCell> RunCellAsync(string dialect, string profile)
    {
        try
        {
            await using var server = await MockLlmServer.StartAsync(CellOptions(dialect));
            var completions = Suite.Options(server.BaseUrl);
            completions.Skip.Add("chat");
            completions.Model = CompletionsModel;
            completions.Profile = profile;
            var first = await ConformanceRunner.RunAsync(completions);
            var second = await ConformanceRunner.RunAsync(Suite.ChatOptions(server.BaseUrl, profile, ChatModel));
            var order = Catalogue.All.Select((c, i) => (c.Id, i)).ToDictionary(x => x.Id, x => x.i, StringComparer.Ordinal);
            return new MatrixCell(dialect, profile, [.. first.Checks.Concat(second.Checks).OrderBy(c => order[c.Id])]);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return new MatrixCell(dialect, profile, [], $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    /// <summary>
    /// A cell server's options: <paramref name="dialect"/>'s wire on a pinned wall clock, so the verdicts (and the doc)
    /// do not depend on when a stream crosses a second.
    /// </summary>
    public static MockServerOptions CellOptions(string dialect) =>
        new() { ApiKeys = { Suite.Key }, Profile = dialect, TimeProvider = new PinnedWallClock(CellNow) };
}
