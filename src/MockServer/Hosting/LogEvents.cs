namespace MockServer.Hosting;

/// <summary>Event ids of the server's log messages, in one place.</summary>
internal static class LogEvents
{
    public const int Started = 1;
    public const int Unhandled = 2;
    public const int FaultApplied = 3;
    public const int WriteTimedOut = 4;
    public const int KeyRefused = 40;
    public const int KeyChanged = 41;

    // Eviction (faults-timing, issue 8): numbered apart so other slices can take the next small ids.
    public const int StreamEvicted = 20;
    public const int ModelEvicted = 21;
    public const int FaultScheduleCleared = 22;
}
