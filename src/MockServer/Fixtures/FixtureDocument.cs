using System.Text;
using System.Text.Json;

namespace MockServer.Fixtures;

/// <summary>
/// A fixture file's text and the name it is reported under. Documents given in code go through the same schema
/// validation as files on disk.
/// </summary>
/// <param name="Name">A file name or label used in error messages; a name equal to a default fixture file's replaces it.</param>
/// <param name="Json">The document, following <c>schemas/fixture.schema.json</c>.</param>
public sealed record FixtureDocument(string Name, string Json)
{
    /// <summary>A fixture that answers <paramref name="prompt"/> (exact match) with <paramref name="tokens"/>, then end-of-text.</summary>
    /// <param name="prompt">The prompt to answer, matched exactly.</param>
    /// <param name="tokens">The continuation, one string per token.</param>
    /// <param name="model">The model alias to restrict the fixture to, or null for any model.</param>
    public static FixtureDocument Completion(string prompt, IEnumerable<string> tokens, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(tokens);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray("completions");
            w.WriteStartObject();
            w.WriteStartObject("match");
            if (model is not null)
            {
                w.WriteString("model", model);
            }

            w.WriteString("prompt", prompt);
            w.WriteEndObject();
            w.WriteStartArray("tokens");
            foreach (var t in tokens)
            {
                w.WriteStringValue(t);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return new FixtureDocument($"code:{prompt}", Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
