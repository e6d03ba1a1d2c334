using MockServer.Hosting;

namespace MockServer.Timing;

/// <summary>
/// CONTRACT STUB (helper "faults-timing" owns it): parses <c>X-Mock-Timing</c>, strictly as <c>X-Mock-Fault</c> is
/// parsed (an unknown key or a bad value is a 400 naming the header).
/// </summary>
internal static class TimingHeader
{
    public const string Header = "X-Mock-Timing";

    /// <summary>The header's timing, or null when the request has none.</summary>
    public static StreamTiming? Read(HttpContext context) => context.Request.Headers.ContainsKey(Header) ? null : null;
}
