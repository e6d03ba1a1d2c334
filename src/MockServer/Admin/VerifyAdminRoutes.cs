namespace MockServer.Admin;

/// <summary>CONTRACT STUB (helper "verify" owns it): <c>GET /admin/journal/verify</c>: the client verdicts, filtered as the journal is.</summary>
internal static class VerifyAdminRoutes
{
    public static void Map(RouteGroupBuilder group) => _ = group;
}
