using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MockServer.Recording;

/// <summary>
/// What identifies a request for replay: the model, the prompt (completions) or messages (chat), and every other body
/// parameter, since each may change the output (<c>stream</c>, <c>logprobs</c>, <c>seed</c>, sampling, tools, …);
/// only fields that cannot change it are left out. Written as canonical JSON (object keys sorted, no whitespace) so
/// the same request gives the same key whatever order its client wrote the fields in.
/// </summary>
internal static class MatchKeys
{
    /// <summary>Body fields that do not change what a provider answers (attribution and storage only).</summary>
    private static readonly string[] Ignored = ["user", "metadata", "store"];

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    public static string Key(string method, string path, string canonicalMatch) => $"{method} {path} {canonicalMatch}";

    /// <summary>The match keys of a POST body: <c>{"model", "prompt" | "messages", "parameters"}</c>, or <c>{"raw_body"}</c> when it is not a JSON object.</summary>
    public static string ForBody(string endpoint, ReadOnlyMemory<byte> body, SecretScrubber scrubber)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException)
        {
            return Write(w => w.WriteString("raw_body", scrubber.Scrub(Encoding.UTF8.GetString(body.Span))));
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Write(w => w.WriteString("raw_body", scrubber.Scrub(root.GetRawText())));
            }

            var text = endpoint == "chat" ? "messages" : "prompt";
            var canonical = Write(w =>
            {
                if (root.TryGetProperty("model", out var model))
                {
                    w.WritePropertyName("model");
                    WriteCanonical(w, model);
                }

                if (root.TryGetProperty(text, out var prompt))
                {
                    w.WritePropertyName(text);
                    WriteCanonical(w, prompt);
                }

                w.WriteStartObject("parameters");
                foreach (var p in root.EnumerateObject().Where(p => p.Name != "model" && p.Name != text && !Ignored.Contains(p.Name)).OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    w.WritePropertyName(p.Name);
                    WriteCanonical(w, p.Value);
                }

                w.WriteEndObject();
            });
            return scrubber.Scrub(canonical);
        }
    }

    /// <summary>The match keys of a GET: its query string (empty for none).</summary>
    public static string ForQuery(string query) => Write(w => w.WriteString("query", query));

    /// <summary>A match object from a recording file, in the same canonical form.</summary>
    public static string Canonical(JsonElement match)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            WriteCanonical(writer, match);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Compact))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        // Sorted once more so that a match written here and one read from a file compare equal.
        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return Canonical(document.RootElement);
    }

    private static void WriteCanonical(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var p in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(p.Name);
                    WriteCanonical(writer, p.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    WriteCanonical(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.String:
                try
                {
                    writer.WriteStringValue(element.GetString());
                }
                catch (InvalidOperationException)
                {
                    writer.WriteRawValue(element.GetRawText(), skipInputValidation: true); // a lone surrogate, kept as written
                }

                break;
            default:
                writer.WriteRawValue(element.GetRawText()); // numbers as written: 1 and 1.0 are different requests to a strict server
                break;
        }
    }
}
