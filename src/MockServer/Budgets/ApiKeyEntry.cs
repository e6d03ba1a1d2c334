namespace MockServer.Budgets;

/// <summary>
/// A <c>/v1</c> key given in code, like an entry of a keys file (<c>schemas/keys.schema.json</c>): the key, an optional
/// name that admin routes and logs show instead of it, and optional limits. Not a record, so that printing one never
/// prints the key.
/// </summary>
public sealed class ApiKeyEntry
{
    /// <summary>Creates an entry for <paramref name="key"/>.</summary>
    /// <param name="key">The bearer key clients send.</param>
    public ApiKeyEntry(string key)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        Key = key;
    }

    /// <summary>The bearer key clients send.</summary>
    public string Key { get; }

    /// <summary>The label admin routes and logs use; default <c>key-N</c>, N the key's place among all keys.</summary>
    public string? Name { get; init; }

    /// <summary>The key's limits.</summary>
    /// <value>Default <see cref="KeyLimits.None"/>: counted, never limited.</value>
    public KeyLimits Limits { get; init; } = KeyLimits.None;

    /// <summary>The name, never the key.</summary>
    public override string ToString() => Name ?? "(unnamed key)";
}
