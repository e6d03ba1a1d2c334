using Conformance.Checks;
using Conformance.Profiles;
using Xunit.Abstractions;

namespace Conformance.Tests.Matrix;

/// <summary>
/// Self-consistency, proved in CI (issue 9): every dialect the mock serves passes the suite under its own profile, and
/// under every other profile fails exactly on the differences docs/dialect-matrix.md documents.
/// </summary>
public sealed class DialectMatrixTests(DialectMatrixFixture fixture, ITestOutputHelper output) : IClassFixture<DialectMatrixFixture>
{
    /// <summary>
    /// Diagonal failures the mock has today, each a departure of a dialect from its own profile: listed so the rest of
    /// the diagonal stays enforced and the gap is visible; a gap that closes fails the test until it is removed here.
    /// </summary>
    private static readonly Dictionary<string, string[]> KnownDiagonalGaps = new(StringComparer.Ordinal)
    {
        // None today. An entry names a dialect and the checks it fails under its own profile, with why.
    };

    /// <summary>Gets the dialects that have a profile of the same name: the diagonal.</summary>
    public static TheoryData<string> OwnProfileDialects => [.. DialectMatrix.MockDialects.Where(BuiltInProfiles.All.ContainsKey)];

    private DialectMatrix Matrix => fixture.Matrix;

    [Fact]
    public void Every_cell_runs_the_whole_catalogue_without_throwing()
    {
        output.WriteLine($"{Matrix.Cells.Count} cells ({Matrix.Dialects.Count} dialects x {Matrix.Profiles.Count} profiles) in {Matrix.Elapsed.TotalSeconds:F1} s");

        Matrix.Cells.Should().HaveCount(DialectMatrix.MockDialects.Count * BuiltInProfiles.All.Count);
        Matrix.Cells.Where(c => c.Error is not null).Select(c => $"{c.Dialect} judged as {c.Profile}: {c.Error}").Should().BeEmpty();
        Matrix.Cells.Where(c => !c.Checks.Select(x => x.Id).SequenceEqual(Catalogue.All.Select(x => x.Id)))
            .Select(c => $"{c.Dialect} judged as {c.Profile}: {c.Checks.Count} of {Catalogue.All.Count} checks").Should().BeEmpty();
    }

    [Theory]
    [MemberData(nameof(OwnProfileDialects))]
    public void A_dialect_passes_the_suite_under_its_own_profile(string dialect)
    {
        var cell = Matrix[dialect, dialect];
        var known = KnownDiagonalGaps.GetValueOrDefault(dialect, []);

        cell.Error.Should().BeNull();
        cell.Failures.Where(c => !known.Contains(c.Id))
            .Select(c => $"{c.Id}: {c.Verdict} {c.Message} | expected {c.Evidence?.Expected} | seen {c.Evidence?.Seen}")
            .Should().BeEmpty();
        cell.Failures.Select(c => c.Id).Should().BeEquivalentTo(known, "a known gap that no longer fails is closed: remove it from KnownDiagonalGaps");
        cell.Passed.Should().BePositive();
    }

    [Fact]
    public void Docs_dialect_matrix_md_is_up_to_date()
    {
        var rendered = DialectMatrixMarkdown.Render(Matrix);
        if (Environment.GetEnvironmentVariable("UPDATE_DOCS") == "1")
        {
            File.WriteAllText(Path.Combine(RepositoryRoot(), "docs", "dialect-matrix.md"), rendered);
            return;
        }

        var onDisk = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "docs", "dialect-matrix.md"));

        onDisk.Should().Be(rendered, $"the suite must fail exactly on the documented differences; if the change is meant, regenerate with: {DialectMatrixMarkdown.RegenerateCommand}");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found above " + AppContext.BaseDirectory);
    }
}
