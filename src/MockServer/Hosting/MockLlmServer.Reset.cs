using MockServer.Catalog;
using MockServer.Endpoints;
using MockServer.Faults;
using MockServer.Recording;

namespace MockServer.Hosting;

public sealed partial class MockLlmServer
{
    /// <summary>
    /// Puts back everything a test can change while the server runs, so tests that share one server (a class or
    /// collection fixture) do not see each other: the journal is emptied; every run-time fixture document goes, of
    /// every session and the global ones; every key's usage and per-minute windows go to zero and its limits back to
    /// the configured ones; cold models are cold again, as never asked for; the fault schedule's and replay's
    /// per-request counts start again; and response ids and unseeded sampling restart from the server's seed, so a
    /// test sees the same answers whichever tests ran before it.
    /// </summary>
    /// <remarks>
    /// What the server was started with stays: its options, the fixture files and <see cref="MockServerOptions.Fixtures"/>,
    /// the keys themselves, recordings already written. Streams still in flight are not ended (<see cref="Evict"/> does
    /// that). Call it between tests, not while a request runs: a request in flight is charged to the key's new period.
    /// </remarks>
    public void Reset() => ResetState(Services);

    /// <summary>What <see cref="Reset"/> does, for any host of the mock's services (<see cref="MockLlmHandler"/> too).</summary>
    internal static void ResetState(IServiceProvider services)
    {
        services.GetRequiredService<Journal.RequestJournal>().Clear();
        services.GetRequiredService<Fixtures.RuntimeFixtures>().Clear();
        services.GetRequiredService<Budgets.KeyAccounts>().RestoreAll();
        services.GetRequiredService<ModelWarmth>().Reset();
        services.GetRequiredService<FaultSchedule>().Reset();
        services.GetService<Replayer>()?.Reset();
        services.GetRequiredService<RequestIds>().Reset();
    }
}
