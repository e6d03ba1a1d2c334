using System.Text.Json;
using MockServer.Catalog;
using MockServer.Errors;
using MockServer.Faults;
using MockServer.Hosting;
using MockServer.Http;

namespace MockServer.Admin;

/// <summary>
/// <c>POST /admin/models/{id}/evict</c> (issue 8, "Cold starts"): every in-flight stream of the model ends after its
/// current frame with <c>data: {"error": …}</c> and <c>data: [DONE]</c> (spec-facts §4.6, §11 item 5), and a cold
/// model is cold again, so its next request gets 503 with <c>Retry-After</c> while it boots. Answers
/// <c>{"model", "streams_ended", "cold"}</c>; an unknown model is a 404 envelope.
/// </summary>
internal static partial class ModelAdminRoutes
{
    private const string Evict = "/evict";

    public static void Map(RouteGroupBuilder group) =>
        // A served id may hold slashes (org/model), and a catch-all must be the route's last segment: so the route
        // takes the rest of the path and the handler requires that it ends in /evict.
        group.MapPost("/models/{**rest}", HandleAsync);

    /// <summary>Evicts the model: null when no such model is served.</summary>
    internal static ModelEvictionResult? EvictModel(IServiceProvider services, string id)
    {
        if (services.GetRequiredService<ModelCatalog>().Find(id) is not { } model)
        {
            return null;
        }

        // The model goes cold first, so each stream's error event can say whether it is restarting.
        var cold = services.GetRequiredService<ModelWarmth>().Evict(model);
        var streams = services.GetRequiredService<StreamEvictions>().Evict(model.Id, restarting: cold);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("MockServer.Faults");
        LogEvicted(logger, model.Id, streams, cold);
        return new ModelEvictionResult(model.Id, streams, cold);
    }

    private static async Task HandleAsync(HttpContext context)
    {
        // The .NET SDK's habit of escaping a slash in an id as %2F, which routing leaves encoded (as ModelsEndpoint reads it).
        var rest = (context.Request.RouteValues["rest"] as string ?? "").Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (!rest.EndsWith(Evict, StringComparison.Ordinal))
        {
            await ErrorWriter.WriteAsync(context, AdminRoutes.NotFound(context.Request.Path)).ConfigureAwait(false);
            return;
        }

        var id = rest[..^Evict.Length];
        if (EvictModel(context.RequestServices, id) is not { } result)
        {
            var catalog = context.RequestServices.GetRequiredService<ModelCatalog>();
            await ErrorWriter.WriteAsync(context, ApiError.ModelNotFound(id, catalog.DescribeIds())).ConfigureAwait(false);
            return;
        }

        await AdminJson.WriteAsync(context, json =>
        {
            json.WriteStartObject();
            json.WriteString("model", result.Model);
            json.WriteNumber("streams_ended", result.StreamsEnded);
            json.WriteBoolean("cold", result.Cold);
            json.WriteEndObject();
        }).ConfigureAwait(false);
    }

    [LoggerMessage(EventId = LogEvents.ModelEvicted, Level = LogLevel.Information, Message = "Model {Model} evicted: {Streams} in-flight streams told to end; cold again: {Cold}")]
    private static partial void LogEvicted(ILogger logger, string model, int streams, bool cold);
}
