using System.Collections.Frozen;
using MockServer.Fixtures;

namespace MockServer.Catalog;

/// <summary>A model the server answers for, as clients see it.</summary>
internal sealed record ServedModel(string Id, string Root, int MaxModelLen, long Created, string OwnedBy, ulong Key)
{
    /// <summary>The chat template family (see <c>Chat/ChatTemplates</c>), or null for a base model without one: chat answers 400 (spec-facts §5 notes).</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The wire rules this model is served with; <c>--profile</c> overrides it for the whole server.</summary>
    public Dialects.Dialect Dialect { get; init; } = Dialects.Dialects.Acs;

    /// <summary>What <c>/v1/models?metadata=true</c> advertises and what chat validation allows (tools, response_format).</summary>
    public ModelCapabilities Capabilities { get; init; } = ModelCapabilities.BaseModel;

    /// <summary>How the model boots when cold (<see cref="ModelWarmth"/>), or null for a model that is always warm.</summary>
    public ColdStart? Cold { get; init; }

    /// <summary>The model's timing (fixture <c>timing</c> block), over the server's; null for none.</summary>
    public Hosting.StreamTiming? Timing { get; init; }

    /// <summary>What responses say in <c>model</c>, as the dialect names it (spec-facts §2.2 I5).</summary>
    public string ResponseName => Dialect.ResponseModel == Dialects.ResponseModelName.Alias ? Id : Root;
}

/// <summary>A cold model's boot time, and the idle time after which it is cold again (null: it stays warm once booted).</summary>
internal sealed record ColdStart(TimeSpan Boot, TimeSpan? Idle);

/// <summary>What a model can do, as the chat provider advertises it (provider-docs/llmbase-chat-stream.txt, spec-facts §13).</summary>
internal sealed record ModelCapabilities(bool Completions, bool Chat, bool Tools, bool ResponseFormat, bool Logprobs)
{
    public static ModelCapabilities BaseModel { get; } = new(Completions: true, Chat: false, Tools: false, ResponseFormat: false, Logprobs: true);
}

/// <summary>The models declared by the loaded fixtures, looked up by alias.</summary>
internal sealed class ModelCatalog
{
    private readonly FrozenDictionary<string, ServedModel> _byId;

    /// <param name="definitions">The models the fixtures declare.</param>
    /// <param name="startedAt">The server's start time, for models without a frozen <c>created</c>.</param>
    /// <param name="profile">A dialect for every model (<c>--profile</c>), or null to serve each with its own.</param>
    public ModelCatalog(IEnumerable<ModelDefinition> definitions, long startedAt, Dialects.Dialect? profile = null)
    {
        // vLLM stamps `created` at listing time; a fixture may freeze it, else the server's start time is used
        // so repeated listings agree (spec-facts §11.7).
        Models = [.. definitions.Select(d => new ServedModel(d.Id, d.Root, d.MaxModelLen, d.Created ?? startedAt, d.OwnedBy, Generation.SyntheticModel.KeyOf(d.Id))
        {
            ChatTemplate = d.ChatTemplate,
            // The loader accepts only known names (the schema's enum), so Find fails only for a definition made in code.
            Dialect = profile ?? Dialects.Dialects.Find(d.Dialect) ?? throw new ArgumentException($"Model '{d.Id}' names unknown dialect '{d.Dialect}'.", nameof(definitions)),
            Capabilities = d.Capabilities,
            Cold = d.Cold,
            Timing = d.Timing,
        })];
        _byId = Models.ToFrozenDictionary(m => m.Id, StringComparer.Ordinal);
        ServerDialect = profile ?? Dialects.Dialects.Acs;
    }

    /// <summary>A catalog of models built in code, with templates and capabilities no fixture sets (tests).</summary>
    internal ModelCatalog(IEnumerable<ServedModel> models)
    {
        Models = [.. models];
        _byId = Models.ToFrozenDictionary(m => m.Id, StringComparer.Ordinal);
    }

    public IReadOnlyList<ServedModel> Models { get; }

    public ServedModel? Find(string id) => _byId.GetValueOrDefault(id);

    /// <summary>
    /// The rules for what is judged before a request names a known model (Content-Type, invalid JSON, a missing or
    /// unknown model): <c>--profile</c>'s dialect, else the strict provider's. A model's own dialect applies once the
    /// body names it.
    /// </summary>
    public Dialects.Dialect ServerDialect { get; } = Dialects.Dialects.Acs;

    /// <summary>
    /// The served model a dialect that takes any model name (or none) answers with (spec-facts §1.2, §12.1): the first,
    /// in fixture order, that <paramref name="serves"/> the endpoint.
    /// </summary>
    public ServedModel? Default(Func<ServedModel, bool> serves) => Models.FirstOrDefault(serves);

    /// <summary>Whether some model's dialect reads bodies whatever their Content-Type (llama.cpp, spec-facts §12.1).</summary>
    public bool AnyIgnoresContentType => !ServerDialect.ChecksContentType || Models.Any(m => !m.Dialect.ChecksContentType);

    /// <summary>
    /// The served ids for an unknown-model message, sorted so the text is stable, and bounded so a server with
    /// thousands of aliases does not answer a typo with a megabyte: the first <paramref name="shown"/>, then "and N more".
    /// </summary>
    public string DescribeIds(int shown = 20)
    {
        var ids = Models.Select(m => m.Id).Order(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return "none";
        }

        var listed = string.Join(", ", ids.Take(shown));
        return ids.Count > shown ? $"{listed} and {ids.Count - shown} more" : listed;
    }
}
