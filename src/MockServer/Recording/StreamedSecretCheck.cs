using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;

namespace MockServer.Recording;

/// <summary>
/// The key split across frames. Each frame is scrubbed alone (<see cref="SecretScrubber"/>), so a key the upstream
/// streams in pieces (one token per chunk, as a model that repeats its prompt would) passes every frame and would be
/// written whole in spirit: whoever joins the pieces has it. Before a streamed recording is written, this joins what a
/// client joins — per choice, the completion <c>text</c>, the chat <c>delta.content</c> and each tool call's
/// argument fragments — and the raw frames end to end, and looks for the key in every form the scrubber knows.
/// </summary>
internal static class StreamedSecretCheck
{
    /// <returns>Whether any form of the key appears in the joined pieces or the joined frames.</returns>
    public static bool Leaks(IReadOnlyList<RecordedFrame> frames, SecretScrubber scrubber)
    {
        if (!scrubber.HasKey)
        {
            return false;
        }

        var raw = new List<byte>();
        var pieces = new Dictionary<string, StringBuilder>(StringComparer.Ordinal);
        foreach (var frame in frames)
        {
            raw.AddRange(frame.Bytes.Span);
            if (Data(frame.Bytes.Span) is { } data)
            {
                Collect(data, pieces);
            }
        }

        return scrubber.Contains(CollectionsMarshal.AsSpan(raw)) || pieces.Values.Any(p => scrubber.Contains(p.ToString()));
    }

    /// <summary>The event's data lines joined by <c>\n</c> (the SSE rule), or null when it has none.</summary>
    private static string? Data(ReadOnlySpan<byte> frame)
    {
        var text = Encoding.UTF8.GetString(frame);
        var lines = text.Split(["\r\n", "\r", "\n"], StringSplitOptions.None)
            .Where(l => l.StartsWith("data:", StringComparison.Ordinal))
            .Select(l => l.StartsWith("data: ", StringComparison.Ordinal) ? l[6..] : l[5..])
            .ToList();
        return lines.Count == 0 ? null : string.Join('\n', lines);
    }

    private static void Collect(string data, Dictionary<string, StringBuilder> pieces)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return; // [DONE] or a malformed frame: its raw bytes are checked all the same
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("choices", out var choices) || choices.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            var position = 0;
            foreach (var choice in choices.EnumerateArray())
            {
                var index = choice.ValueKind == JsonValueKind.Object && choice.TryGetProperty("index", out var i) ? i.ToString() : position.ToString(System.Globalization.CultureInfo.InvariantCulture);
                position++;
                if (choice.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                Append(pieces, $"{index}/text", choice, "text");
                if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                {
                    Append(pieces, $"{index}/content", delta, "content");
                    if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                    {
                        var n = 0;
                        foreach (var call in calls.EnumerateArray())
                        {
                            var callIndex = call.ValueKind == JsonValueKind.Object && call.TryGetProperty("index", out var c) ? c.ToString() : n.ToString(System.Globalization.CultureInfo.InvariantCulture);
                            n++;
                            if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                            {
                                Append(pieces, $"{index}/tool/{callIndex}", function, "arguments");
                            }
                        }
                    }
                }
            }
        }
    }

    private static void Append(Dictionary<string, StringBuilder> pieces, string slot, JsonElement owner, string name)
    {
        if (owner.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String)
        {
            if (!pieces.TryGetValue(slot, out var joined))
            {
                pieces[slot] = joined = new StringBuilder();
            }

            try
            {
                joined.Append(value.GetString());
            }
            catch (InvalidOperationException)
            {
                joined.Append(value.GetRawText()); // a lone surrogate escaped: the escaped text is what a reader sees
            }
        }
    }
}
