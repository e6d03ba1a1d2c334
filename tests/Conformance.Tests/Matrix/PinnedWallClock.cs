namespace Conformance.Tests.Matrix;

/// <summary>
/// A clock whose wall-clock time stands still at <paramref name="instant"/> while its timestamps and timers stay real
/// (the base class's). The matrix's cell servers run on it so that nothing in docs/dialect-matrix.md depends on when it
/// was computed: llama.cpp re-reads <c>created</c> per chunk (spec-facts §4.2, §9 Q15), so on the system clock its
/// constant-identity verdicts flipped whenever a second ticked during a stream. Timing (token pacing, timeouts) keeps
/// running, so the cells behave as on a real server.
/// </summary>
internal sealed class PinnedWallClock(DateTimeOffset instant) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => instant;
}
