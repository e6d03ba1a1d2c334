using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using MockServer.Errors;
using MockServer.Tokenization;

namespace MockServer.Validation;

/// <summary>
/// The strict readers every JSON endpoint shares (REVIEW.md, seam 3): a JSON boolean is never a number, numeric
/// strings are not coerced, an unknown or repeated key is refused with a "did you mean", and every failure is an
/// <see cref="ApiErrorException"/> naming the parameter, so a bad value is a 400 and never a 500.
/// </summary>
internal static class StrictJson
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static ApiErrorException Fail(ApiError error) => new(error);

    /// <summary>
    /// Checks the top level of a body: an object, each key once, each key known. JsonElement keeps every duplicate and
    /// the last would silently win, so a repeat is refused like an unknown name.
    /// </summary>
    /// <param name="root">The body.</param>
    /// <param name="known">The endpoint's fields.</param>
    /// <param name="ignoreUnknown">Let unknown names through for the parser to skip (vLLM, llama.cpp: spec-facts §9 Q1); repeats are still refused.</param>
    public static void CheckTopLevel(JsonElement root, FrozenSet<string> known, bool ignoreUnknown = false)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw Fail(new ApiError(400, $"The request body must be a JSON object, but got {Describe(root)}.", ApiError.InvalidRequest, null, "invalid_type"));
        }

        var seen = new SeenNames();
        foreach (var property in root.EnumerateObject())
        {
            var name = NameOf(property, null);
            if (!seen.Add(name))
            {
                throw Fail(ApiError.DuplicateParameter(name));
            }

            if (!ignoreUnknown && !known.Contains(name))
            {
                throw Fail(ApiError.UnknownParameter(name, ParameterNames.Suggest(name, known)));
            }
        }
    }

    /// <summary>
    /// Checks a nested object the same way, naming keys by their path (<c>messages[2].tool_call_id</c>): an object, each
    /// key once, each key known.
    /// </summary>
    public static void CheckObject(JsonElement v, string param, FrozenSet<string> known, string expected = "an object")
    {
        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType(param, expected, Describe(v)));
        }

        var seen = new SeenNames();
        foreach (var property in v.EnumerateObject())
        {
            var name = NameOf(property, param);
            var path = $"{param}.{name}";
            if (!known.Contains(name))
            {
                var suggestion = ParameterNames.Suggest(name, known);
                throw Fail(ApiError.UnknownParameter(path, suggestion is null ? null : $"{param}.{suggestion}"));
            }

            if (!seen.Add(name))
            {
                throw Fail(ApiError.DuplicateParameter(path));
            }
        }
    }

    /// <summary>
    /// Reads every key of an object once, so a key that is not valid Unicode is a 400 naming <paramref name="param"/>
    /// before a lookup (<see cref="JsonElement.TryGetProperty(string, out JsonElement)"/>) unescapes it and throws.
    /// </summary>
    public static void CheckNames(JsonElement obj, string param)
    {
        foreach (var property in obj.EnumerateObject())
        {
            NameOf(property, param);
        }
    }

    /// <summary>
    /// The names of an object seen so far, for the duplicate check: a request object has a handful of keys, so the
    /// first few are compared in place and a set is built only past them (these checks run on every request).
    /// </summary>
    private struct SeenNames
    {
        private const int Few = 8;
        private FewNames _few;
        private int _count;
        private HashSet<string>? _many;

        /// <summary>False when <paramref name="name"/> was seen before.</summary>
        public bool Add(string name)
        {
            for (var i = 0; i < Math.Min(_count, Few); i++)
            {
                if (string.Equals(_few[i], name, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            if (_count < Few)
            {
                _few[_count++] = name;
                return true;
            }

            _many ??= new HashSet<string>(StringComparer.Ordinal);
            return _many.Add(name);
        }

        [System.Runtime.CompilerServices.InlineArray(Few)]
        private struct FewNames
        {
            private string? _name;
        }
    }

    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.String => "a string",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        JsonValueKind.Null => "null",
        JsonValueKind.Number => v.TryGetInt64(out _) ? "an integer" : "a decimal",
        _ => "an unknown value",
    };

    /// <summary>
    /// JSON may escape a lone UTF-16 surrogate (<c>"\ud800"</c>) or carry invalid UTF-8, which System.Text.Json refuses
    /// to turn into a string.
    /// Every string a parser reads goes through here so that becomes a 400 naming the parameter, not a 500.
    /// </summary>
    public static string TextOf(JsonElement v, string? param)
    {
        try
        {
            return v.GetString()!;
        }
        catch (InvalidOperationException)
        {
            throw Fail(new ApiError(400, $"The request contains a string that is not valid Unicode (invalid UTF-8, or an escaped lone surrogate such as \\ud800){(param is null ? "" : $" in '{param}'")}.", ApiError.InvalidRequest, param, "invalid_value"));
        }
    }

    public static string NameOf(JsonProperty property, string? param)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            throw Fail(new ApiError(400, $"The request contains a property name that is not valid Unicode (invalid UTF-8, or an escaped lone surrogate such as \\ud800){(param is null ? "" : $" in '{param}'")}.", ApiError.InvalidRequest, param, "invalid_value"));
        }
    }

    public static string? ReadString(string name, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.String => TextOf(v, name),
        JsonValueKind.Null => null,
        _ => throw Fail(ApiError.InvalidType(name, "a string", Describe(v))),
    };

    /// <summary>A string member the client must send, named by its path: missing or null is a missing parameter, a non-string an invalid type.</summary>
    public static string RequiredString(JsonElement obj, string key, string at)
    {
        var param = $"{at}.{key}";
        return (obj.TryGetProperty(key, out var value) ? ReadString(param, value) : null) ?? throw Fail(ApiError.MissingParameter(param));
    }

    public static bool? ReadBoolean(string name, JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Null => null,
        _ => throw Fail(ApiError.InvalidType(name, "a boolean", Describe(v))),
    };

    /// <summary>An integer parameter. JSON booleans and numeric strings are type errors (provider docs, "Gotcha").</summary>
    public static long? ReadInteger(string name, JsonElement v, long min, long max)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number)
        {
            throw Fail(ApiError.InvalidType(name, "an integer", Describe(v)));
        }

        if (v.TryGetInt64(out var value))
        {
            if (value < min)
            {
                throw Fail(ApiError.BelowMinimum(name, true, $">= {min.ToString(Inv)}", value));
            }

            if (value > max)
            {
                throw Fail(ApiError.AboveMaximum(name, true, $"<= {max.ToString(Inv)}", value));
            }

            return value;
        }

        // 16.0 and 1e2 are integers in JSON Schema's sense; 16.5 is not. Beyond int64 is a range error.
        if (v.TryGetDouble(out var d) && double.IsFinite(d))
        {
            if (Math.Floor(d) != d)
            {
                throw Fail(ApiError.InvalidType(name, "an integer", "a decimal"));
            }

            // TryGetInt64 failed, so an integral value here is outside int64 even if the double rounds onto its edge
            // (-9223372036854775809 becomes -2^63).
            if (d < min || d <= -9.2233720368547758E+18)
            {
                throw Fail(ApiError.BelowMinimum(name, true, $">= {min.ToString(Inv)}", d));
            }

            if (d > max || d >= 9.2233720368547758E+18)
            {
                throw Fail(ApiError.AboveMaximum(name, true, $"<= {max.ToString(Inv)}", d));
            }

            return (long)d;
        }

        throw Fail(ApiError.InvalidValue(name, $"Invalid '{name}': the number {Truncate(v.GetRawText())} cannot be represented."));
    }

    public static double? ReadNumber(string name, JsonElement v, double min, double max, bool minExclusive = false)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Number)
        {
            throw Fail(ApiError.InvalidType(name, "a number", Describe(v)));
        }

        if (!v.TryGetDouble(out var d) || !double.IsFinite(d))
        {
            throw Fail(ApiError.InvalidValue(name, $"Invalid '{name}': the number {Truncate(v.GetRawText())} cannot be represented."));
        }

        if (minExclusive ? d <= min : d < min)
        {
            throw Fail(ApiError.BelowMinimum(name, false, $"{(minExclusive ? ">" : ">=")} {min.ToString(Inv)}", d));
        }

        if (d > max)
        {
            throw Fail(ApiError.AboveMaximum(name, false, $"<= {max.ToString(Inv)}", d));
        }

        return d;
    }

    public static string Truncate(string raw) => raw.Length <= 40 ? raw : raw[..40] + "...";

    /// <summary>
    /// <c>stream_options</c>: an object holding at most <c>include_usage</c> (a boolean); Present is false for null, Empty
    /// true for <c>{}</c>. A dialect that ignores unknown fields ignores unknown options too.
    /// </summary>
    public static (bool Present, bool Empty, bool? IncludeUsage) ReadStreamOptions(JsonElement v, Dialects.Dialect? dialect = null)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return (false, true, null);
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType("stream_options", "an object", Describe(v)));
        }

        bool? includeUsage = null;
        var seen = false;
        var empty = true;
        foreach (var option in v.EnumerateObject())
        {
            empty = false;
            var optionName = NameOf(option, "stream_options");
            if (optionName != "include_usage" && dialect?.UnknownParameters == Dialects.UnknownParameterPolicy.Ignored)
            {
                continue;
            }

            if (optionName != "include_usage")
            {
                var suggestion = ParameterNames.Suggest(optionName, ParameterNames.StreamOptions);
                throw Fail(ApiError.UnknownParameter($"stream_options.{optionName}", suggestion is null ? null : $"stream_options.{suggestion}"));
            }

            // JsonElement keeps every duplicate and the last would silently win, as at the top level (named like an unknown option).
            if (seen)
            {
                throw Fail(ApiError.DuplicateParameter("stream_options.include_usage"));
            }

            seen = true;

            includeUsage = ReadBoolean("stream_options.include_usage", new LaxValues(dialect).Flag(option.Value));
        }

        return (true, empty, includeUsage);
    }

    /// <summary>The one rule of <c>stream_options</c> that needs <c>stream</c>, as the dialect applies it (spec-facts §9 Q21).</summary>
    public static void CheckStreamOptions(bool present, bool streaming, bool empty = false, Dialects.StreamOptionsPolicy policy = Dialects.StreamOptionsPolicy.RefusedAlways)
    {
        var refused = policy switch
        {
            Dialects.StreamOptionsPolicy.RefusedWhenNonEmpty => !empty, // vLLM tests the dict's truth: {} passes
            Dialects.StreamOptionsPolicy.Ignored => false,
            _ => true,
        };
        if (present && !streaming && refused)
        {
            // Also for `{}`: OpenAI rejects any stream_options without stream (spec-facts §10, Q21; our choice).
            throw Fail(ApiError.InvalidValue("stream_options", "The 'stream_options' parameter is only allowed when 'stream' is enabled."));
        }
    }

    public static List<string> ReadStop(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Null:
                return [];
            case JsonValueKind.String:
                var single = TextOf(v, "stop");
                return single.Length == 0 ? throw Fail(ApiError.InvalidValue("stop", "'stop' cannot contain an empty string.")) : [single];
            case JsonValueKind.Array:
                var count = v.GetArrayLength();
                if (count is 0 or > RequestLimits.MaxStopSequences)
                {
                    throw Fail(ApiError.InvalidValue("stop", $"'stop' must hold between 1 and {RequestLimits.MaxStopSequences} sequences, but got {count}."));
                }

                var list = new List<string>(count);
                foreach (var item in v.EnumerateArray())
                {
                    if (item.ValueKind != JsonValueKind.String)
                    {
                        throw Fail(ApiError.InvalidType("stop", "a string or an array of strings", $"an array containing {Describe(item)}"));
                    }

                    var s = TextOf(item, "stop");
                    list.Add(s.Length == 0 ? throw Fail(ApiError.InvalidValue("stop", "'stop' cannot contain an empty string.")) : s);
                }

                return list;
            default:
                throw Fail(ApiError.InvalidType("stop", "a string or an array of strings", Describe(v)));
        }
    }

    /// <summary><c>logit_bias</c>: token ids of <paramref name="vocabulary"/> (each once) mapped to numbers in -100..100.</summary>
    public static Dictionary<int, double> ReadLogitBias(JsonElement v, Vocabulary vocabulary)
    {
        if (v.ValueKind == JsonValueKind.Null)
        {
            return new Dictionary<int, double>();
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw Fail(ApiError.InvalidType("logit_bias", "an object mapping token ids to numbers", Describe(v)));
        }

        var bias = new Dictionary<int, double>();
        var keys = new Dictionary<int, string>();
        foreach (var entry in v.EnumerateObject())
        {
            var key = NameOf(entry, "logit_bias");
            if (!int.TryParse(key, NumberStyles.None, Inv, out var id) || !vocabulary.TryGetText(id, out _))
            {
                throw Fail(ApiError.InvalidValue("logit_bias", $"'logit_bias' key '{Truncate(key)}' is not a token id of this model's vocabulary (0-{vocabulary.Count - 1} or {Vocabulary.EndOfTextId})."));
            }

            // "50" twice, or "50" and "050": one bias would silently replace the other.
            if (!keys.TryAdd(id, key))
            {
                throw Fail(new ApiError(400, $"Duplicate key in 'logit_bias': token {id} is given more than once ('{Truncate(keys[id])}', '{Truncate(key)}').",
                    ApiError.InvalidRequest, "logit_bias", "duplicate_parameter"));
            }

            bias[id] = ReadNumber("logit_bias", entry.Value, -100, 100) ?? throw Fail(ApiError.InvalidType("logit_bias", "a number", "null"));
        }

        return bias;
    }
}
