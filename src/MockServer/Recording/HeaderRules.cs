using MockServer.Journal;

namespace MockServer.Recording;

/// <summary>
/// Which headers cross the proxy. Upstream: the client's headers, except hop-by-hop ones, the client's own
/// credentials to the mock (any name <see cref="JournalHeaders.IsCredential"/> flags: Authorization, cookies,
/// <c>X-Api-Key</c>, …) and what the mock consumes itself. Back and into a recording: only an allow-list, so an
/// upstream's cookies, tokens or account ids never reach a file.
/// </summary>
internal static class HeaderRules
{
    /// <summary>Asks replay for another pacing than the server's (<c>recorded</c>, <c>none</c>, <c>scale=F</c>) for one request.</summary>
    public const string ReplayTimingHeader = "X-Mock-Replay-Timing";

    /// <summary>The response headers relayed and recorded: what a client reads to understand an answer or pace a retry.</summary>
    private static readonly string[] Recorded = ["Content-Type", "Retry-After"];

    private static readonly string[] NotForwarded =
    [
        "Host", "Content-Length", "Content-Type", "Connection", "Keep-Alive", "Transfer-Encoding", "TE", "Trailer",
        "Upgrade", "Proxy-Connection", "Accept-Encoding", "Expect", ReplayTimingHeader,
    ];

    /// <summary>
    /// Whether an answer with this status has a body: a 1xx, 204 or 304 has none (RFC 9110 §15.3.5, §15.4.5), and
    /// Kestrel refuses even a <c>Content-Length: 0</c> on one.
    /// </summary>
    public static bool HasBody(int status) => status is >= 200 and not (204 or 304);

    public static bool IsRecorded(string name) => Recorded.Contains(name, StringComparer.OrdinalIgnoreCase) && !JournalHeaders.IsCredential(name);

    public static bool IsForwarded(string name) =>
        !NotForwarded.Contains(name, StringComparer.OrdinalIgnoreCase) && !JournalHeaders.IsCredential(name) && !name.StartsWith(':');
}
