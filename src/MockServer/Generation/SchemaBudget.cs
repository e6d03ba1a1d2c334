namespace MockServer.Generation;

/// <summary>
/// The work one request's schema sampling and checking may do, counted in steps (a value written, a schema node
/// judged, a part merged, a regex tried). A schema passes <see cref="Chat.JsonSchemaBounds"/> by size and depth, but
/// recursion, wide <c>anyOf</c> fan-out or large <c>minItems</c> can still multiply work; this bound keeps a request from
/// tying up a core or building gigabytes, and a client that leaves stops it at once.
/// </summary>
internal sealed class SchemaBudget(long steps, CancellationToken cancellationToken)
{
    /// <summary>Steps for one request, all its choices and retries together: milliseconds of work, a few MB at most.</summary>
    public const long PerRequest = 200_000;

    private long _left = steps;

    public static SchemaBudget Unbounded { get; } = new(long.MaxValue, CancellationToken.None);

    /// <summary>Takes <paramref name="cost"/> steps; throws <see cref="SchemaBudgetExceededException"/> past the bound.</summary>
    public void Spend(long cost = 1)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _left -= cost;
        if (_left < 0)
        {
            throw new SchemaBudgetExceededException();
        }
    }
}

/// <summary>The schema needs more work than <see cref="SchemaBudget"/> allows.</summary>
internal sealed class SchemaBudgetExceededException() : Exception("The schema needs more work than the mock allows per request.");
