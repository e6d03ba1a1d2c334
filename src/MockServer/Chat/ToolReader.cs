using System.Collections.Frozen;
using System.Text.Json;
using System.Text.RegularExpressions;
using MockServer.Errors;
using static MockServer.Validation.StrictJson;

namespace MockServer.Chat;

/// <summary>Reads <c>tools</c> and <c>tool_choice</c> (OpenAI's function tools; the only kind these models call).</summary>
internal static partial class ToolReader
{
    /// <summary>OpenAI's limit on functions per request.</summary>
    public const int MaxTools = 128;

    private static readonly FrozenSet<string> ToolKeys = new[] { "type", "function" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> FunctionKeys = new[] { "name", "description", "parameters", "strict" }.ToFrozenSet(StringComparer.Ordinal);
    private static readonly FrozenSet<string> NamedChoiceKeys = new[] { "name" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The tools, or an empty list for null.</summary>
    public static List<ToolDefinition> ReadTools(JsonElement v)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return [];
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw Fail(ApiError.InvalidType("tools", "an array of tools", Describe(v)));
        }

        var count = v.GetArrayLength();
        if (count is 0 or > MaxTools)
        {
            throw Fail(ApiError.InvalidValue("tools", $"'tools' must hold between 1 and {MaxTools} tools, but got {count}."));
        }

        var tools = new List<ToolDefinition>(count);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var tool in v.EnumerateArray())
        {
            var at = $"tools[{i++}]";
            CheckObject(tool, at, ToolKeys, "a tool object");
            CheckFunctionType(tool, at);
            if (!tool.TryGetProperty("function", out var function) || function.ValueKind == JsonValueKind.Null)
            {
                throw Fail(ApiError.MissingParameter($"{at}.function"));
            }

            CheckObject(function, $"{at}.function", FunctionKeys);
            var name = ReadName(function, $"{at}.function");

            // Two functions with one name: a call could not say which it means.
            if (!names.Add(name))
            {
                throw Fail(ApiError.InvalidValue($"{at}.function.name", $"Invalid '{at}.function.name': '{name}' is declared more than once in 'tools'."));
            }

            string? description = null;
            JsonElement? parameters = null;
            foreach (var property in function.EnumerateObject())
            {
                var param = $"{at}.function.{property.Name}";
                switch (property.Name)
                {
                    case "name": break;
                    case "description": description = ReadString(param, property.Value); break;
                    case "parameters" when property.Value.ValueKind != JsonValueKind.Null: parameters = JsonSchemaBounds.Read(property.Value, param); break;
                    case "parameters": break;
                    case "strict": ReadBoolean(param, property.Value); break;
                    default: throw new InvalidOperationException($"Function key '{property.Name}' is accepted but not handled.");
                }
            }

            tools.Add(new ToolDefinition(name, description, parameters));
        }

        return tools;
    }

    /// <summary>The mode and, for a named function, its name (the caller checks it is declared in <c>tools</c>); null when absent.</summary>
    public static (ToolChoiceMode Mode, string? Name)? ReadToolChoice(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return TextOf(v, "tool_choice") switch
                {
                    "none" => (ToolChoiceMode.None, null),
                    "auto" => (ToolChoiceMode.Auto, null),
                    "required" => (ToolChoiceMode.Required, null),
                    var other => throw Fail(ApiError.InvalidValue("tool_choice",
                        $"Invalid value for 'tool_choice': '{Truncate(other)}'. Supported values are: 'none', 'auto', 'required', or an object naming a function."))
                };
            case JsonValueKind.Object:
                CheckObject(v, "tool_choice", ToolKeys);
                CheckFunctionType(v, "tool_choice");
                if (!v.TryGetProperty("function", out var function) || function.ValueKind == JsonValueKind.Null)
                {
                    throw Fail(ApiError.MissingParameter("tool_choice.function"));
                }

                CheckObject(function, "tool_choice.function", NamedChoiceKeys);
                return (ToolChoiceMode.Named, RequiredString(function, "name", "tool_choice.function"));
            default:
                throw Fail(ApiError.InvalidType("tool_choice", "a string or an object", Describe(v)));
        }
    }

    private static void CheckFunctionType(JsonElement obj, string at)
    {
        var type = RequiredString(obj, "type", at);
        if (type != "function")
        {
            throw Fail(ApiError.InvalidValue($"{at}.type", $"Invalid value for '{at}.type': '{Truncate(type)}'. The supported value is 'function'."));
        }
    }

    private static string ReadName(JsonElement function, string at)
    {
        var name = RequiredString(function, "name", at);
        if (!FunctionName().IsMatch(name))
        {
            throw Fail(ApiError.InvalidValue($"{at}.name",
                $"Invalid '{at}.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]{{1,64}}$', but got '{Truncate(name)}'."));
        }

        return name;
    }

    // OpenAI's rule for function names.
    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex FunctionName();
}
