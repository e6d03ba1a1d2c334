using System.Text;
using System.Text.Json;

namespace MockServer.Tests.TestUtils;

/// <summary>
/// The strict reading of a mock stream: the body must be exactly a sequence of <c>data: PAYLOAD\n\n</c> events
/// (LF only, no other fields), the last being <c>[DONE]</c>. Anything else fails the test.
/// </summary>
internal sealed class SseTranscript
{
    private SseTranscript(string raw, List<string> payloads)
    {
        Raw = raw;
        Payloads = payloads;
    }

    public string Raw { get; }

    /// <summary>Every data payload, <c>[DONE]</c> included.</summary>
    public IReadOnlyList<string> Payloads { get; }

    /// <summary>The JSON chunks (everything before <c>[DONE]</c>).</summary>
    public IReadOnlyList<JsonElement> Chunks => [.. Payloads.Take(Payloads.Count - 1).Select(p => JsonDocument.Parse(p).RootElement)];

    public IReadOnlyList<JsonElement> ContentChunks => [.. Chunks.Where(c => c.GetProperty("choices").GetArrayLength() > 0)];

    public static SseTranscript Parse(string raw)
    {
        var payloads = new List<string>();
        var rest = raw.AsSpan();
        while (rest.Length > 0)
        {
            rest.StartsWith("data: ").Should().BeTrue($"every event starts with 'data: ' (at: {Excerpt(rest)})");
            var end = rest.IndexOf("\n\n");
            end.Should().BePositive($"every event ends with a blank line (at: {Excerpt(rest)})");
            var payload = rest[6..end].ToString();
            payload.Should().NotContain("\n", "one line per event");
            payloads.Add(payload);
            rest = rest[(end + 2)..];
        }

        payloads.Should().NotBeEmpty();
        payloads[^1].Should().Be("[DONE]", "the stream ends with data: [DONE] and nothing after it");
        payloads.Take(payloads.Count - 1).Should().NotContain("[DONE]", "[DONE] appears once");
        return new SseTranscript(raw, payloads);
    }

    public static async Task<SseTranscript> ReadAsync(HttpResponseMessage response)
    {
        var bytes = await response.Content.ReadAsByteArrayAsync();
        return Parse(Encoding.UTF8.GetString(bytes));
    }

    public string Text(int choice = 0) => string.Concat(
        ContentChunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Where(c => c.GetProperty("index").GetInt32() == choice)
            .Select(c => c.GetProperty("text").GetString()));

    private static string Excerpt(ReadOnlySpan<char> s) => s.Length > 60 ? s[..60].ToString() : s.ToString();
}
