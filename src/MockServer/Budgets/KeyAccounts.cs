using System.Collections.Frozen;
using System.Text.RegularExpressions;

namespace MockServer.Budgets;

/// <summary>
/// Every <c>/v1</c> key's usage and limits, in process (<see cref="Hosting.MockLlmServer.Keys"/>) as the admin routes
/// show them: read, reset or change a key's limits at run time, by its name. Keys themselves are never returned.
/// </summary>
public sealed partial class KeyAccounts
{
    private readonly FrozenDictionary<string, KeyAccount> _byName;

    private KeyAccounts(IReadOnlyList<KeyAccount> accounts)
    {
        Accounts = accounts;
        _byName = accounts.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);
    }

    /// <summary>Every key's usage, in the order the keys were configured (keys file, then code, then plain keys).</summary>
    public IReadOnlyList<KeyUsage> All => [.. Accounts.Select(a => a.Usage())];

    internal IReadOnlyList<KeyAccount> Accounts { get; }

    /// <summary>The usage of the key named <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">No key has that name.</exception>
    public KeyUsage Get(string name) => Find(name).Usage();

    /// <summary>Sets the key's usage and per-minute windows back to zero, and returns its usage.</summary>
    /// <exception cref="KeyNotFoundException">No key has that name.</exception>
    public KeyUsage Reset(string name) => Find(name).Reset();

    /// <summary>Replaces the key's limits (null: none); they apply from the next request. Returns its usage.</summary>
    /// <exception cref="KeyNotFoundException">No key has that name.</exception>
    /// <exception cref="ArgumentException">A limit is out of range.</exception>
    public KeyUsage SetLimits(string name, KeyLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var account = Find(name);
        limits.Validate($"key '{name}'");
        return account.SetLimits(limits);
    }

    /// <summary>Every key as configured at start: usage and windows to zero, limits as configured (<see cref="Hosting.MockLlmServer.Reset"/>).</summary>
    internal void RestoreAll()
    {
        foreach (var account in Accounts)
        {
            account.Restore();
        }
    }

    internal bool TryFind(string name, out KeyAccount account) => _byName.TryGetValue(name, out account!);

    /// <summary>
    /// The accounts of every configured key: entries with names and limits (keys file, then code), then the plain
    /// <c>--api-keys</c> not already among them. Unnamed keys are called <c>key-N</c> by their place.
    /// </summary>
    /// <exception cref="ArgumentException">A key or name given twice, a bad name or limit, or the admin key among the keys; the message never holds a key.</exception>
    internal static KeyAccounts Build(IEnumerable<ApiKeyEntry> entries, IEnumerable<string> plainKeys, string? adminKey)
    {
        var all = entries.ToList();
        var seen = new HashSet<string>(all.Select(e => e.Key), StringComparer.Ordinal);
        if (seen.Count != all.Count)
        {
            var place = all.Select((e, i) => (e, i)).GroupBy(x => x.e.Key, StringComparer.Ordinal).First(g => g.Count() > 1).Select(x => x.i + 1).ToList();
            throw new ArgumentException($"keys {place[0]} and {place[1]} are the same key; give each key once.");
        }

        all.AddRange(plainKeys.Where(seen.Add).Select(k => new ApiKeyEntry(k)));
        if (adminKey is not null && seen.Contains(adminKey))
        {
            throw new ArgumentException("the admin key must differ from every API key.");
        }

        var accounts = new List<KeyAccount>(all.Count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < all.Count; i++)
        {
            var entry = all[i];
            var name = entry.Name ?? $"key-{i + 1}";
            if (!ValidName().IsMatch(name))
            {
                throw new ArgumentException($"key {i + 1}: the name '{name}' is not usable in a URL; use letters, digits, '.', '_' and '-' (at most 64).");
            }

            if (!names.Add(name))
            {
                throw new ArgumentException($"key {i + 1}: the name '{name}' is already used by another key; names must be unique.");
            }

            entry.Limits.Validate($"key '{name}'");
            accounts.Add(new KeyAccount(entry.Key, name, entry.Limits));
        }

        return new KeyAccounts(accounts);
    }

    private KeyAccount Find(string name) =>
        _byName.TryGetValue(name, out var account) ? account : throw new KeyNotFoundException($"No key is named '{name}'.");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex ValidName();
}
