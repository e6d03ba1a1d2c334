namespace MockServer.Admin;

/// <summary>CONTRACT STUB (helper "faults-timing" owns it): <c>/admin/models/{id}/evict</c>: ends the model's streams with an error event and makes it cold.</summary>
internal static class ModelAdminRoutes
{
    public static void Map(RouteGroupBuilder group) => _ = group;
}
