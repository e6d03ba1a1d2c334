using System.Text.Json;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Functional;

/// <summary>The provider docs' two worked examples, reproduced by the default fixtures (provider-docs/acs-*.txt).</summary>
public sealed class DocsExamplesTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    // Verbatim from provider-docs/acs-logprobs.txt, "Example response". The docs omit `created`; the id differs per request.
    private const string DocsLogprobsResponse = """
        {
          "object": "text_completion",
          "model": "meta-llama/Llama-3.1-8B",
          "choices": [
            {
              "index": 0,
              "text": " a",
              "logprobs": {
                "text_offset": [0],
                "tokens": [" a"],
                "token_logprobs": [-1.7437232732772827],
                "top_logprobs": [
                  {
                    " a": -1.7437232732772827,
                    " Paris": -1.9937232732772827,
                    " one": -2.5562233924865723,
                    " the": -2.5562233924865723,
                    " also": -3.1187233924865723
                  }
                ]
              },
              "finish_reason": "length"
            }
          ],
          "usage": {"prompt_tokens": 6, "completion_tokens": 1, "total_tokens": 7}
        }
        """;

    private const string LogprobsRequest = """{"model": "llama-8b", "prompt": "The capital of France is", "max_tokens": 1, "logprobs": 5}""";

    private const string StreamRequest = """
        {"model": "llama-8b", "prompt": "Five reasons to learn Rust:\n1.", "max_tokens": 80,
         "stream": true, "stream_options": {"include_usage": true}}
        """;

    [Fact]
    public async Task Logprobs_example_matches_the_docs_response()
    {
        var (status, body, json) = await server.Client.CompleteAsync(LogprobsRequest);

        status.Should().Be(200);
        body.ShouldConformTo(Schemas.Completion);
        json.ShouldContainSubset(JsonDocument.Parse(DocsLogprobsResponse).RootElement);
        JsonAssert.CompletionId().IsMatch(json.GetProperty("id").GetString()!).Should().BeTrue();
        json.GetProperty("created").ValueKind.Should().Be(JsonValueKind.Number);
        json.GetProperty("choices")[0].GetProperty("stop_reason").ValueKind.Should().Be(JsonValueKind.Null);
    }

    [Fact]
    public async Task Logprobs_example_top_logprobs_keep_the_docs_order()
    {
        var (_, _, json) = await server.Client.CompleteAsync(LogprobsRequest);

        var top = json.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("top_logprobs")[0];
        top.EnumerateObject().Select(p => p.Name).Should().Equal(" a", " Paris", " one", " the", " also");
    }

    [Fact]
    public async Task Logprobs_example_matches_golden_transcript()
    {
        var (_, body, _) = await server.Client.CompleteAsync(LogprobsRequest);

        JsonAssert.ShouldMatchGolden([body], "docs-logprobs.json");
    }

    [Fact]
    public async Task Stream_example_has_the_docs_frames_and_usage()
    {
        var transcript = await server.Client.StreamAsync(StreamRequest);

        var content = transcript.ContentChunks;
        content.Should().HaveCount(80, "one event per generated token");
        var texts = content.Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString()).ToList();
        texts.Take(4).Should().Equal(" It", "’s", " fast", ".\n");
        texts[^1].Should().Be(" again");
        content[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("length");
        content.SkipLast(1).Should().OnlyContain(c => c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.Null);

        var usageChunk = transcript.Chunks[^1];
        usageChunk.GetProperty("choices").GetArrayLength().Should().Be(0);
        var usage = usageChunk.GetProperty("usage");
        (usage.GetProperty("prompt_tokens").GetInt32(), usage.GetProperty("completion_tokens").GetInt32(), usage.GetProperty("total_tokens").GetInt32())
            .Should().Be((9, 80, 89));
        transcript.Chunks.Should().HaveCount(81);
    }

    [Fact]
    public async Task Stream_example_frames_keep_the_provider_key_set()
    {
        var transcript = await server.Client.StreamAsync(StreamRequest);

        foreach (var chunk in transcript.ContentChunks)
        {
            var choice = chunk.GetProperty("choices")[0];
            choice.GetProperty("logprobs").ValueKind.Should().Be(JsonValueKind.Null);
            choice.GetProperty("stop_reason").ValueKind.Should().Be(JsonValueKind.Null);
            chunk.GetProperty("usage").ValueKind.Should().Be(JsonValueKind.Null);
            chunk.GetProperty("model").GetString().Should().Be("meta-llama/Llama-3.1-8B");
        }
    }

    [Fact]
    public async Task Stream_example_writes_raw_utf8_like_vllm()
    {
        var transcript = await server.Client.StreamAsync(StreamRequest);

        transcript.Raw.Should().Contain("\"text\":\"’s\"", "non-ASCII is written as UTF-8, not \\u escapes");
    }

    [Fact]
    public async Task Stream_example_matches_golden_transcript()
    {
        var transcript = await server.Client.StreamAsync(StreamRequest);

        JsonAssert.ShouldMatchGolden(transcript.Payloads, "docs-stream.sse");
    }
}
