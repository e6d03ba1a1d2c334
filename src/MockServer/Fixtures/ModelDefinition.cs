using MockServer.Catalog;

namespace MockServer.Fixtures;

/// <summary>A served model as a fixture declares it.</summary>
internal sealed record ModelDefinition(string Id, string Root, int MaxModelLen, long? Created, string OwnedBy)
{
    /// <summary>One of <c>ChatTemplates.Known</c>, or null for a base model (chat answers 400).</summary>
    public string? ChatTemplate { get; init; }

    /// <summary>The dialect's name (<c>Dialects.All</c>); <c>--profile</c> overrides it for every model.</summary>
    public string Dialect { get; init; } = Dialects.Dialects.Acs.Name;

    public ModelCapabilities Capabilities { get; init; } = ModelCapabilities.BaseModel;

    /// <summary>The fixture's <c>cold</c> block, or null for a model that is always warm.</summary>
    public ColdStart? Cold { get; init; }

    /// <summary>The fixture's <c>timing</c> block for this model, or null.</summary>
    public Hosting.StreamTiming? Timing { get; init; }
}
