using MockServer.Hosting;

namespace MockServer.Admin;

/// <summary>
/// The control surface outside <c>/v1</c> (issue 8: key usage and budgets, evicting a model; issue 9 adds the journal):
/// mapped only when <see cref="MockServerOptions.EnableAdmin"/> is set, and guarded by
/// <see cref="MockServerOptions.AdminKey"/> (its own key, never one of the <c>/v1</c> keys) when one is configured.
/// </summary>
internal static class AdminRoutes
{
    public const string Prefix = "/admin";

    public static void MapAdmin(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<MockServerOptions>();
        if (!options.EnableAdmin)
        {
            return;
        }

        var group = app.MapGroup(Prefix).AddEndpointFilter(new AdminKeyFilter(options.AdminKey));
        KeyAdminRoutes.Map(group);
        ModelAdminRoutes.Map(group);
    }
}
