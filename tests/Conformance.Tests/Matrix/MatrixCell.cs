namespace Conformance.Tests.Matrix;

/// <summary>
/// One cell of the dialect matrix: the MockServer serving <see cref="Dialect"/> for the whole server
/// (<c>--profile D</c>), judged by the suite under <see cref="Profile"/>.
/// </summary>
/// <param name="Dialect">The dialect the mock serves.</param>
/// <param name="Profile">The profile the suite judges it under.</param>
/// <param name="Checks">Every check of both halves of the run (completions, then chat), in catalogue order.</param>
/// <param name="Error">What the run threw, or null: a cell that throws is a defect of the suite or the mock, never a verdict.</param>
internal sealed record MatrixCell(string Dialect, string Profile, IReadOnlyList<CheckReport> Checks, string? Error = null)
{
    public int Passed => Checks.Count(c => c.Verdict == Verdict.Pass);

    /// <summary>Gets the checks that fail the run: a failure, or a check a bound stopped (both make the CLI exit 1).</summary>
    public IReadOnlyList<CheckReport> Failures => [.. Checks.Where(c => c.Verdict is Verdict.Fail or Verdict.Skipped)];

    /// <summary>Gets the checks that broke a rule in the way the profile expects (reported, not failed).</summary>
    public IReadOnlyList<CheckReport> Divergences => [.. Checks.Where(c => c.Verdict == Verdict.Divergence)];

    public int Warnings => Checks.Count(c => c.Verdict == Verdict.Warn);
}
