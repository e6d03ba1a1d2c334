namespace Conformance.Checks;

/// <summary>Every check, in report order. Ids are stable: reports are compared by id across runs.</summary>
internal static class Catalogue
{
    /// <summary>Gets the whole catalogue.</summary>
    public static IReadOnlyList<CheckDefinition> All { get; } =
    [
        .. ValidationChecks.All(),
        .. CompletionChecks.All(),
        .. StreamChecks.All(),
        .. LogprobsChecks.All(),
        .. ErrorChecks.All(),
        StreamErrorEventCheck.Definition(),
        RateLimitHeaderCheck.Definition(),
        .. SchemaChecks.All(),
        .. ChatResponseChecks.All(),
        .. ChatStreamChecks.All(),
        .. ChatLogprobsChecks.All(),
        .. ChatValidationChecks.All(),
        .. ChatToolChecks.All(),
        .. ChatSchemaChecks.All(),
    ];

    /// <summary>True when <paramref name="selector"/> names the check: its id, its category, or an id prefix ending at a dot.</summary>
    public static bool Matches(CheckDefinition check, string selector)
    {
        ArgumentNullException.ThrowIfNull(check);
        ArgumentNullException.ThrowIfNull(selector);
        return check.Id == selector || check.Category == selector || check.Id.StartsWith(selector.TrimEnd('*').TrimEnd('.') + ".", StringComparison.Ordinal);
    }
}
