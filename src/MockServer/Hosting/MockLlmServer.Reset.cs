using MockServer.Catalog;
using MockServer.Endpoints;
using MockServer.Faults;
using MockServer.Recording;

namespace MockServer.Hosting;

public sealed partial class MockLlmServer
{
    /// <summary>
    /// Puts back everything a test can change while the server runs, so tests that share one server (a class or
    /// collection fixture) do not see each other: the journal is emptied and its sequence numbers start again at 1;
    /// every run-time fixture document goes, of every session and the global ones, and their ids start again at
    /// <c>fx-1</c>; every key's usage and per-minute windows go to zero and its limits back to the configured ones;
    /// cold models are cold again, as never asked for; the fault schedule's and replay's per-request counts start
    /// again; and response ids and unseeded sampling restart from the server's seed, so a test sees the same answers
    /// whichever tests ran before it.
    /// </summary>
    /// <remarks>
    /// What the server was started with stays: its options, the fixture files and <see cref="MockServerOptions.Fixtures"/>,
    /// the keys themselves, recordings already written. This does NOT end the requests in flight: a stream an earlier
    /// test walked away from can still be running, and its journal entry and key charge then land after the reset, in
    /// the next test. Between tests call <see cref="ResetAsync"/>, which ends them first.
    /// </remarks>
    public void Reset() => ResetState(Services);

    /// <summary>
    /// <see cref="Reset"/>, after ending the requests in flight: each is aborted (a stream's client sees the connection
    /// cut) and awaited until its journal entry and key charge have landed, then everything is cleared. What a test
    /// left running cannot reach the next test. Call it between tests (MockServer.Xunit's MockLlmServerTest does).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting for the requests to finish; nothing is reset then.</param>
    public Task ResetAsync(CancellationToken cancellationToken = default) => ResetStateAsync(Services, cancellationToken);

    /// <summary>What <see cref="ResetAsync"/> does, for any host of the mock's services (<see cref="MockLlmHandler"/> too).</summary>
    internal static async Task ResetStateAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await services.GetRequiredService<RequestsInFlight>().EndAllAsync(cancellationToken).ConfigureAwait(false);
        ResetState(services);
    }

    /// <summary>What <see cref="Reset"/> does, for any host of the mock's services (<see cref="MockLlmHandler"/> too).</summary>
    internal static void ResetState(IServiceProvider services)
    {
        var journal = services.GetRequiredService<Journal.RequestJournal>();
        journal.Clear();
        journal.RestartSequence();
        services.GetRequiredService<Fixtures.RuntimeFixtures>().Restart();
        services.GetRequiredService<Budgets.KeyAccounts>().RestoreAll();
        services.GetRequiredService<ModelWarmth>().Reset();
        services.GetRequiredService<FaultSchedule>().Reset();
        services.GetService<Replayer>()?.Reset();
        services.GetRequiredService<RequestIds>().Reset();
    }
}
