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
/// answering the same card as the list. With <c>?metadata=true</c> every card also carries <c>metadata</c>: what the
/// model serves and supports, as the chat provider advertises it (provider-docs/llmbase-chat-stream.txt, spec-facts §13).
/// </summary>
internal sealed class ModelsEndpoint
{
    private readonly ModelCatalog _catalog;
    private readonly Listing _plain;
    private readonly Listing _withMetadata;

    public ModelsEndpoint(ModelCatalog catalog, Tokenization.Vocabulary vocabulary)
    {
        _catalog = catalog;
        _plain = new Listing(catalog.Models, m => Card(m, metadata: false, vocabulary));
        _withMetadata = new Listing(catalog.Models, m => Card(m, metadata: true, vocabulary));
    }

    public Task HandleAsync(HttpContext context) =>
        ListingFor(context) is { } listing ? WriteAsync(context, listing.List) : WriteMetadataErrorAsync(context);

    public Task RetrieveAsync(HttpContext context)
    {
        if (ListingFor(context) is not { } listing)
        {
            return WriteMetadataErrorAsync(context);
        }

        // The .NET SDK escapes a slash in the id as %2F, which routing leaves encoded (other escapes arrive decoded).
        var model = (context.Request.RouteValues["id"] as string ?? "").Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
        if (model.Length == 0)
        {
            return WriteAsync(context, listing.List); // GET /v1/models/ is the list
        }

        return listing.Cards.TryGetValue(model, out var card)
            ? WriteAsync(context, card)
            : ErrorWriter.WriteAsync(context, ApiError.ModelNotFound(model, _catalog.DescribeIds()));
    }

    /// <summary>
    /// The listing the query asks for: <c>metadata</c> absent or <c>false</c> gives the plain cards, <c>true</c> adds
    /// metadata; anything else is null (a 400: a typo must not silently hide what the caller asked for).
    /// </summary>
    private Listing? ListingFor(HttpContext context)
    {
        if (!context.Request.Query.TryGetValue("metadata", out var values))
        {
            return _plain;
        }

        return values is [{ } value] && bool.TryParse(value, out var on) ? (on ? _withMetadata : _plain) : null;
    }

    private static Task WriteMetadataErrorAsync(HttpContext context) =>
        ErrorWriter.WriteAsync(context, ApiError.InvalidValue("metadata", "The query parameter 'metadata' must be true or false, given once."));

    /// <summary>The model's card in its dialect's shape (spec-facts §7).</summary>
    private static object Card(ServedModel m, bool metadata, Tokenization.Vocabulary vocabulary) => m.Dialect.ModelCard == Dialects.ModelCardShape.LlamaCpp
        ? new LlamaModelCard
        {
            Id = m.Id,
            Created = m.Created,
            Meta = new LlamaModelMeta { NVocab = vocabulary.Count, NCtxTrain = m.MaxModelLen },
            Metadata = metadata ? Metadata(m) : null,
        }
        : VllmCard(m, metadata);

    private static ModelCard VllmCard(ServedModel m, bool metadata) => new()
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
        Metadata = metadata ? Metadata(m) : null,
    };

    private static ModelMetadata Metadata(ServedModel m) => new()
    {
        Endpoints = [.. new[] { (m.Capabilities.Completions, "completions"), (m.Capabilities.Chat, "chat") }.Where(e => e.Item1).Select(e => e.Item2)],
        Capabilities = new ModelMetadataCapabilities
        {
            Tools = m.Capabilities.Tools,
            ResponseFormat = m.Capabilities.ResponseFormat,
            Logprobs = m.Capabilities.Logprobs,
        },
        ContextLength = m.MaxModelLen,
        Dialect = m.Dialect.Name,
        ChatTemplate = m.ChatTemplate,
    };

    /// <summary>The list and each card, serialized once: listings never change while the server runs.</summary>
    private sealed class Listing
    {
        public Listing(IReadOnlyList<ServedModel> models, Func<ServedModel, object> card)
        {
            var cards = models.Select(m => (m.Id, Card: card(m))).ToList();
            List = JsonSerializer.SerializeToUtf8Bytes(new ModelList { Data = [.. cards.Select(c => c.Card)] }, WireJson.Context.ModelList);
            Cards = cards.ToFrozenDictionary(c => c.Id, c => JsonSerializer.SerializeToUtf8Bytes(c.Card, c.Card.GetType(), WireJson.Context), StringComparer.Ordinal);
        }

        public byte[] List { get; }

        public FrozenDictionary<string, byte[]> Cards { get; }
    }

    private static Task WriteAsync(HttpContext context, byte[] body)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        Journal.JournalScratch.NoteSent(context, body);
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }
}
