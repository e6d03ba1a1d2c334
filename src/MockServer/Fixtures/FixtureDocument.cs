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
        return new FixtureDocument($"code:{prompt}", Write("completions", model, "prompt", prompt, w =>
        {
            w.WriteStartArray("tokens");
            foreach (var t in tokens)
            {
                w.WriteStringValue(t);
            }

            w.WriteEndArray();
        }));
    }

    /// <summary>
    /// A chat fixture that answers a conversation whose last user message is <paramref name="lastUserMessage"/> (exact
    /// match) with <paramref name="tokens"/> as the assistant's content, then end-of-text.
    /// </summary>
    /// <param name="lastUserMessage">The last user message's text, matched exactly.</param>
    /// <param name="tokens">The assistant's content, one string per token.</param>
    /// <param name="model">The chat model alias to restrict the fixture to, or null for any model.</param>
    public static FixtureDocument Chat(string lastUserMessage, IEnumerable<string> tokens, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(lastUserMessage);
        ArgumentNullException.ThrowIfNull(tokens);
        return new FixtureDocument($"code:chat:{model}:{lastUserMessage}", Write("chat", model, "user", lastUserMessage, w =>
        {
            w.WriteStartArray("tokens");
            foreach (var t in tokens)
            {
                w.WriteStringValue(t);
            }

            w.WriteEndArray();
        }));
    }

    /// <summary>
    /// A chat fixture that answers a conversation whose last user message is <paramref name="lastUserMessage"/> with a call
    /// of the function <paramref name="name"/> (finish_reason <c>tool_calls</c>).
    /// </summary>
    /// <param name="lastUserMessage">The last user message's text, matched exactly.</param>
    /// <param name="name">The function to call.</param>
    /// <param name="argumentsJson">The arguments: a JSON object as text, sent as written.</param>
    /// <param name="model">The chat model alias to restrict the fixture to, or null for any model.</param>
    public static FixtureDocument ChatToolCall(string lastUserMessage, string name, string argumentsJson, string? model = null)
    {
        ArgumentNullException.ThrowIfNull(lastUserMessage);
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(argumentsJson);
        return new FixtureDocument($"code:chat-tool:{model}:{lastUserMessage}:{name}", Write("chat", model, "user", lastUserMessage, w =>
        {
            w.WriteStartArray("tool_calls");
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("arguments", argumentsJson);
            w.WriteEndObject();
            w.WriteEndArray();
        }));
    }

    /// <summary>A document with one fixture in <paramref name="section"/>: its match, then what <paramref name="answer"/> writes.</summary>
    private static string Write(string section, string? model, string matchKey, string matchValue, Action<Utf8JsonWriter> answer)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartArray(section);
            w.WriteStartObject();
            w.WriteStartObject("match");
            if (model is not null)
            {
                w.WriteString("model", model);
            }

            w.WriteString(matchKey, matchValue);
            w.WriteEndObject();
            answer(w);
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
