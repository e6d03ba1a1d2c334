using MockServer.Errors;
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

    /// <summary>
    /// The 404 for an unknown path under <c>/admin</c> while admin is on: it lists the admin routes (the <c>/v1</c> list
    /// would not help someone calling the admin surface). Route shapes only; nothing here needs the admin key to know.
    /// </summary>
    public static ApiError NotFound(string path) =>
        new(404, $"Unknown admin URL: {path}. Admin routes: GET /admin/keys, GET /admin/keys/{{name}}, PATCH /admin/keys/{{name}}, POST /admin/keys/{{name}}/reset, POST /admin/models/{{model}}/evict, GET and DELETE /admin/journal, GET /admin/journal/{{sequence}}, GET /admin/journal/verify, POST, GET and DELETE /admin/fixtures, DELETE /admin/fixtures/{{id}} (see the README's admin routes).",
            ApiError.InvalidRequest, null, "unknown_url");

    /// <summary>Whether a 404 for this request should list the admin routes: admin is on and the path is under <c>/admin</c>.</summary>
    public static bool Owns(HttpContext context) =>
        context.Request.Path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase)
        && context.RequestServices.GetRequiredService<MockServerOptions>().EnableAdmin;

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
        JournalAdminRoutes.Map(group);
        VerifyAdminRoutes.Map(group);
        FixtureAdminRoutes.Map(group);
    }
}
