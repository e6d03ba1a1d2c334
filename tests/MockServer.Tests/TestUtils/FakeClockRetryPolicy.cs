using System.ClientModel.Primitives;
using Microsoft.Extensions.Time.Testing;

namespace MockServer.Tests.TestUtils;

/// <summary>
/// The official SDKs' own retry policy (System.ClientModel's <see cref="ClientRetryPolicy"/>), unchanged except that it
/// advances a fake clock instead of sleeping, and records each wait it took.
/// </summary>
internal class FakeClockRetryPolicy(FakeTimeProvider clock, int maxRetries = 3) : ClientRetryPolicy(maxRetries)
{
    public List<TimeSpan> Delays { get; } = [];

    protected override Task WaitAsync(TimeSpan time, CancellationToken cancellationToken)
    {
        Wait(time, cancellationToken);
        return Task.CompletedTask;
    }

    protected override void Wait(TimeSpan time, CancellationToken cancellationToken)
    {
        lock (Delays)
        {
            Delays.Add(time);
        }

        clock.Advance(time);
    }
}
