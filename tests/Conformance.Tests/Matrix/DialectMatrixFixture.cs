namespace Conformance.Tests.Matrix;

/// <summary>
/// Computes the dialect matrix once per test run (5 × 5 suite runs today, a few seconds), so every matrix test reads
/// the same result instead of paying for its own.
/// </summary>
public sealed class DialectMatrixFixture : IAsyncLifetime
{
    private DialectMatrix? _matrix;

    internal DialectMatrix Matrix => _matrix ?? throw new InvalidOperationException("the matrix is computed in InitializeAsync");

    public async Task InitializeAsync() =>
        // One cell per core, two to four: a cell keeps a server and a client busy in this process, and the rest of the
        // test run shares the same cores.
        _matrix = await DialectMatrix.ComputeAsync(Math.Clamp(Environment.ProcessorCount, 2, 4));

    public Task DisposeAsync() => Task.CompletedTask;
}
