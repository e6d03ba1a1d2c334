namespace MockServer.Admin;

/// <summary>CONTRACT STUB (helper "budgets" owns it): <c>/admin/keys</c>: each key's usage, reset or change its budget.</summary>
internal static class KeyAdminRoutes
{
    public static void Map(RouteGroupBuilder group) => _ = group;
}
