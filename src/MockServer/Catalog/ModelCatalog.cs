using System.Collections.Frozen;
using MockServer.Fixtures;

namespace MockServer.Catalog;

/// <summary>A model the server answers for, as clients see it.</summary>
internal sealed record ServedModel(string Id, string Root, int MaxModelLen, long Created, string OwnedBy, ulong Key);

/// <summary>The models declared by the loaded fixtures, looked up by alias.</summary>
internal sealed class ModelCatalog
{
    private readonly FrozenDictionary<string, ServedModel> _byId;

    public ModelCatalog(IEnumerable<ModelDefinition> definitions, long startedAt)
    {
        // vLLM stamps `created` at listing time; a fixture may freeze it, else the server's start time is used
        // so repeated listings agree (spec-facts §11.7).
        Models = [.. definitions.Select(d => new ServedModel(d.Id, d.Root, d.MaxModelLen, d.Created ?? startedAt, d.OwnedBy, Generation.SyntheticModel.KeyOf(d.Id)))];
        _byId = Models.ToFrozenDictionary(m => m.Id, StringComparer.Ordinal);
    }

    public IReadOnlyList<ServedModel> Models { get; }

    public ServedModel? Find(string id) => _byId.GetValueOrDefault(id);
}
