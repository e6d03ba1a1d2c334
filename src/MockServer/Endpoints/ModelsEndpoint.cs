using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using MockServer.Catalog;
using MockServer.Errors;
using MockServer.Generation;
using MockServer.Http;
using MockServer.Wire;

namespace MockServer.Endpoints;

/// <summary>
/// <c>GET /v1/models</c>: one card per served alias with vLLM's extra fields, stable across calls; and
/// <c>GET /v1/models/{model}</c>, OpenAI's retrieve route (the official SDKs' <c>GetModel</c>/<c>models.retrieve</c>),
/// answering the same card as the list.
/// </summary>
internal sealed class ModelsEndpoint
{
    private readonly ModelCatalog _catalog;
    private readonly byte[] _list;
    private readonly FrozenDictionary<string, byte[]> _cards;

    public ModelsEndpoint(ModelCatalog catalog)
    {
        _catalog = catalog;
        var cards = catalog.Models.Select(Card).ToList();
        _list = JsonSerializer.SerializeToUtf8Bytes(new ModelList { Data = cards }, WireJson.Context.ModelList);
        _cards = cards.ToFrozenDictionary(c => c.Id, c => JsonSerializer.SerializeToUtf8Bytes(c, WireJson.Context.ModelCard), StringComparer.Ordinal);
    }

    public Task HandleAsync(HttpContext context) => WriteAsync(context, _list);

    public Task RetrieveAsync(HttpContext context)
    {
        // The .NET SDK escapes a slash in the id as %2F, which routing leaves encoded (other escapes arrive decoded).
        var model = (context.Request.RouteValues["id"] as string ?? "").Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (model.Length == 0)
        {
            return WriteAsync(context, _list); // GET /v1/models/ is the list
        }

        return _cards.TryGetValue(model, out var card)
            ? WriteAsync(context, card)
            : ErrorWriter.WriteAsync(context, ApiError.ModelNotFound(model, _catalog.DescribeIds()));
    }

    private static ModelCard Card(ServedModel m) => new()
    {
        Id = m.Id,
        Created = m.Created,
        OwnedBy = m.OwnedBy,
        Root = m.Root,
        MaxModelLen = m.MaxModelLen,
        Permission =
        [
            new ModelPermission
            {
                // Real vLLM mints a random id per listing; ours is derived from the alias (spec-facts §11.7).
                Id = string.Create(CultureInfo.InvariantCulture, $"modelperm-{Mix.Hash(m.Key):x16}{Mix.Hash(m.Key, 1):x16}"),
                Created = m.Created,
            },
        ],
    };

    private static Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
