using System.Collections;
using System.Globalization;
using System.Reflection;
using Conformance.Profiles;

namespace Conformance.Tests.Matrix;

/// <summary>
/// A profile's rules as name/value pairs (<c>MaxLogprobs</c>: 5, <c>Chat.RoleContent</c>: Absent), read from its fields
/// and chat rules by reflection, so the matrix's "why" follows BuiltInProfiles without prose written per cell. Levels
/// are left out: the matrix compares them per check.
/// </summary>
internal static class ProfileRules
{
    /// <summary>Fields that name or describe a profile rather than set a rule, and the levels.</summary>
    private static readonly HashSet<string> NotRules = [nameof(Profile.Name), nameof(Profile.Description), nameof(Profile.DefaultModel), nameof(Profile.Levels)];

    /// <summary>Every rule of <paramref name="profile"/>, in declaration order, the chat rules as <c>Chat.*</c>.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Of(Profile profile)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var rules = new List<KeyValuePair<string, string>>();
        Collect(typeof(Profile), profile, "", rules);
        return rules;
    }

    private static void Collect(Type type, object owner, string prefix, List<KeyValuePair<string, string>> into)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (prefix.Length == 0 && NotRules.Contains(property.Name))
            {
                continue;
            }

            var value = property.GetValue(owner);
            if (value is ChatRules chat)
            {
                Collect(typeof(ChatRules), chat, prefix + property.Name + ".", into);
                continue;
            }

            into.Add(new(prefix + property.Name, Show(value)));
        }
    }

    /// <summary>A value as the docs show it; equal values show alike, so comparing the text compares the values.</summary>
    private static string Show(object? value) => value switch
    {
        null => "any", // the only nullable rule, ErrorType, accepts any value when null
        string s => $"`{s}`",
        bool b => b ? "yes" : "no",
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(Show)) is { Length: > 0 } list ? list : "(none)",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
