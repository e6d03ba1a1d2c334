namespace MockServer.Admin;

/// <summary>CONTRACT STUB (helper "journal" owns it): <c>GET/DELETE /admin/journal</c>, filtered by path, model, status, session.</summary>
internal static class JournalAdminRoutes
{
    public static void Map(RouteGroupBuilder group) => _ = group;
}
