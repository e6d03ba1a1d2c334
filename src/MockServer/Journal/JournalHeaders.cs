namespace MockServer.Journal;

/// <summary>
/// The request headers a journal entry keeps, with every credential replaced whole (issue 9: "headers with keys
/// redacted"). A header is a credential when it is one of the known ones (<c>Authorization</c>, <c>api-key</c> as Azure
/// sends it, cookies) or when its name says so (key, token, secret, auth, password, credential, session id): a name
/// test rather than a list, so a vendor's <c>X-Foo-Api-Key</c> is caught too. The value is replaced, not masked, so
/// no prefix or suffix of a key can be read back from the journal or the admin route.
/// </summary>
internal static class JournalHeaders
{
    public const string Redacted = "[redacted]";

    private static readonly string[] CredentialWords = ["key", "token", "secret", "auth", "password", "credential", "cookie"];

    public static IReadOnlyDictionary<string, string> Redact(IEnumerable<KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>> headers)
    {
        var kept = new SortedDictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, values) in headers)
        {
            kept[name] = IsCredential(name) ? Redacted : values.ToString();
        }

        return kept;
    }

    /// <summary>Whether a header of this name may carry a credential (Authorization, Proxy-Authorization, Cookie, X-Api-Key, …).</summary>
    public static bool IsCredential(string name) =>
        CredentialWords.Any(word => name.Contains(word, StringComparison.OrdinalIgnoreCase));
}
