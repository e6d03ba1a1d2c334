using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Chat;

/// <summary>
/// The chat provider's documented example (provider-docs/llmbase-chat-stream.txt, spec-facts §13), reproduced by the
/// default fixtures with no flags: the curl body as the docs give it, the frames as the docs print them.
/// </summary>
public sealed class LlmbaseDocsExampleTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    // The docs' curl body, verbatim.
    private const string DocsRequest = """
        {
          "model": "deepseek/deepseek-v4-flash",
          "messages": [{ "role": "user", "content": "Count to 5." }],
          "stream": true
        }
        """;

    // The three frames the docs print (the docs elide the content frames between the second and the last).
    private const string DocsFirst = """{"id":"chatcmpl-...","object":"chat.completion.chunk","created":1741000000,"model":"deepseek/deepseek-v4-flash","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}""";
    private const string DocsSecond = """{"id":"chatcmpl-...","object":"chat.completion.chunk","created":1741000000,"model":"deepseek/deepseek-v4-flash","choices":[{"index":0,"delta":{"content":"1"},"finish_reason":null}]}""";
    private const string DocsLast = """{"id":"chatcmpl-...","object":"chat.completion.chunk","created":1741000000,"model":"deepseek/deepseek-v4-flash","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":9,"total_tokens":19}}""";

    [Fact]
    public async Task The_docs_stream_is_reproduced_frame_for_frame()
    {
        var payloads = await StreamAsync();

        payloads[^1].Should().Be("[DONE]");
        payloads.Count(p => p == "[DONE]").Should().Be(1);
        var chunks = payloads[..^1].Select(p => JsonNode.Parse(p)!.AsObject()).ToList();
        SameAsDocs(chunks[0], DocsFirst);
        SameAsDocs(chunks[1], DocsSecond);
        SameAsDocs(chunks[^1], DocsLast);

        // Between the second and the last frame: content deltas only, in the same shape as the docs' second frame.
        foreach (var chunk in chunks.Skip(2).SkipLast(1))
        {
            var choice = chunk["choices"]![0]!.AsObject();
            choice.Select(p => p.Key).Should().Equal("index", "delta", "finish_reason");
            choice["delta"]!.AsObject().Select(p => p.Key).Should().Equal("content");
            chunk.ContainsKey("usage").Should().BeFalse("usage rides on the final chunk only");
        }

        chunks.Select(c => (string?)c["id"]).Distinct().Should().ContainSingle().Which.Should().StartWith("chatcmpl-");
        chunks.Select(c => (long)c["created"]!).Distinct().Should().ContainSingle();
        string.Concat(chunks.Select(c => (string?)c["choices"]![0]!["delta"]!["content"])).Should().StartWith("1");
    }

    [Fact]
    public async Task The_docs_stream_matches_its_golden_transcript()
    {
        JsonAssert.ShouldMatchGolden(await StreamAsync(), "llmbase-chat-stream.sse");
    }

    /// <summary>Same keys in the same order and the same values, apart from the id and created the docs leave open.</summary>
    private static void SameAsDocs(JsonObject actual, string docs)
    {
        var expected = JsonNode.Parse(docs)!.AsObject();
        expected["id"] = actual["id"]!.DeepClone();
        expected["created"] = actual["created"]!.DeepClone();
        actual.ToJsonString().Should().Be(expected.ToJsonString());
    }

    private async Task<List<string>> StreamAsync()
    {
        using var content = new StringContent(DocsRequest, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync("chat/completions", content);
        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var transcript = await SseTranscript.ReadAsync(response);
        transcript.Payloads.Where(p => p != "[DONE]").ToList().ForEach(p => p.ShouldConformTo(Schemas.ChatChunk));
        return [.. transcript.Payloads];
    }
}
