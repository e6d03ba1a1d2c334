using System.Text.Json;
using MockServer.Catalog;
using MockServer.Validation;

namespace MockServer.Dialects;

/// <summary>
/// The dialect a request is answered in, kept on its <see cref="HttpContext"/> (the <see cref="Dialect"/> itself is
/// the feature: nothing is allocated per request) so the error writer and the in-stream error event speak it too: the
/// model's once the body names a known one, else the server's (<see cref="ModelCatalog.ServerDialect"/>).
/// </summary>
internal static class RequestDialect
{
    /// <summary>
    /// The dialect in effect for <paramref name="context"/>. The admin routes are the mock's own control surface, not
    /// the emulated server's: they always answer in the mock's envelope.
    /// </summary>
    public static Dialect Of(HttpContext context) =>
        context.Request.Path.StartsWithSegments("/admin", StringComparison.OrdinalIgnoreCase) ? Dialects.Acs
        : context.Features.Get<Dialect>()
        ?? (context.RequestServices?.GetService(typeof(ModelCatalog)) as ModelCatalog)?.ServerDialect
        ?? Dialects.Acs;

    public static void Set(HttpContext context, Dialect dialect) => context.Features.Set(dialect);

    /// <summary>
    /// The dialect of a parsed body: its <c>model</c>'s when that names a served model, else the server's. Never throws:
    /// a body whose <c>model</c> is not a string is judged by the parser, in the server's dialect.
    /// </summary>
    public static Dialect ForBody(ModelCatalog catalog, JsonElement root) => ForModel(catalog, ModelIdOf(root));

    /// <summary>The dialect of the model named <paramref name="modelId"/> (<see cref="ModelIdOf"/>) when it is served, else the server's.</summary>
    public static Dialect ForModel(ModelCatalog catalog, string? modelId) =>
        modelId is { } id && catalog.Find(id) is { } model ? model.Dialect : catalog.ServerDialect;

    /// <summary>The body's <c>model</c> when it is a readable string, else null.</summary>
    public static string? ModelIdOf(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        try
        {
            return root.TryGetProperty("model"u8, out var model) && model.ValueKind == JsonValueKind.String ? StrictJson.TextOf(model, "model") : null;
        }
        catch (Exception ex) when (ex is Errors.ApiErrorException or InvalidOperationException)
        {
            return null; // a name or value that is not valid Unicode: the parser says so, naming it
        }
    }
}
