using System.Globalization;
using System.Text.Json;
using MockServer.Catalog;
using MockServer.Generation;
using MockServer.Wire;

namespace MockServer.Endpoints;

/// <summary><c>GET /v1/models</c>: one card per served alias with vLLM's extra fields, stable across calls.</summary>
internal sealed class ModelsEndpoint(ModelCatalog catalog)
{
    private readonly byte[] _body = JsonSerializer.SerializeToUtf8Bytes(
        new ModelList
        {
            Data = [.. catalog.Models.Select(m => new ModelCard
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
            })],
        },
        WireJson.Context.ModelList);

    public Task HandleAsync(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = _body.Length;
        return context.Response.Body.WriteAsync(_body, context.RequestAborted).AsTask();
    }
}
