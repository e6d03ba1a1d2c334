namespace MockServer.Http;

/// <summary>
/// The <c>key=value[;key=value…]</c> syntax of the mock's control headers (<c>X-Mock-Fault</c>, <c>X-Mock-Timing</c>)
/// and of a fixture's <c>fault</c>: split strictly, so a typo is an error rather than a silently ignored part.
/// </summary>
internal static class KeyValueList
{
    /// <summary>The pairs in order; throws <see cref="FormatException"/> (a sentence for the caller's message) when a part is not key=value or a key repeats.</summary>
    public static List<(string Key, string Value)> Split(string value)
    {
        var parts = value.Split(';', StringSplitOptions.TrimEntries);
        var pairs = new List<(string Key, string Value)>(parts.Length);
        foreach (var part in parts)
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw new FormatException($"'{part}' is not key=value.");
            }

            var key = part[..eq].Trim();
            if (pairs.Exists(p => p.Key == key))
            {
                throw new FormatException($"'{key}' appears more than once.");
            }

            pairs.Add((key, part[(eq + 1)..].Trim()));
        }

        return pairs;
    }
}
