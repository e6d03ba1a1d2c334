using Conformance.Checks;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>
/// <c>schemas/chat-completion.schema.json</c> and <c>schemas/chat-completion-chunk.schema.json</c>: they load with the
/// NJsonSchema the suite and the MockServer's tests use, admit the documented wire of both dialects the mock serves
/// (the seed provider's stream verbatim, OpenAI's examples), refuse what neither sends, and the suite applies them.
/// </summary>
public sealed class ChatSchemaTests
{
    /// <summary>provider-docs/llmbase-chat-stream.txt, the three data payloads verbatim (ids are the docs' placeholders).</summary>
    private static readonly string[] LlmbaseDocsChunks =
    [
        """{"id":"chatcmpl-...","object":"chat.completion.chunk","created":1741000000,"model":"deepseek/deepseek-v4-flash","choices":[{"index":0,"delta":{"role":"assistant"},"finish_reason":null}]}""",
        """{"id":"chatcmpl-...","object":"chat.completion.chunk","created":1741000000,"model":"deepseek/deepseek-v4-flash","choices":[{"index":0,"delta":{"content":"1"},"finish_reason":null}]}""",
        """{"id":"chatcmpl-...","object":"chat.completion.chunk","created":1741000000,"model":"deepseek/deepseek-v4-flash","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":10,"completion_tokens":9,"total_tokens":19}}""",
    ];

    /// <summary>OpenAI's streaming example (API reference), with include_usage and a tool-call fragment pair added.</summary>
    private static readonly string[] OpenAiChunks =
    [
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"role":"assistant","content":""},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{"content":"Hello"},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"kX3"}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"call_abc","type":"function","function":{"name":"get_weather","arguments":""}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"{\"city\":"}}]},"logprobs":null,"finish_reason":null}],"usage":null}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}],"usage":null}""",
        """{"id":"chatcmpl-123","object":"chat.completion.chunk","created":1694268190,"model":"gpt-4o-mini","system_fingerprint":"fp_44709d6fcb","choices":[],"usage":{"prompt_tokens":9,"completion_tokens":2,"total_tokens":11}}""",
    ];

    /// <summary>OpenAI's non-streamed example (API reference, chat/create).</summary>
    private const string OpenAiCompletion = """
        {
          "id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT",
          "object": "chat.completion",
          "created": 1741569952,
          "model": "gpt-4.1-2025-04-14",
          "choices": [
            {
              "index": 0,
              "message": { "role": "assistant", "content": "Hello! How can I assist you today?", "refusal": null, "annotations": [] },
              "logprobs": null,
              "finish_reason": "stop"
            }
          ],
          "usage": {
            "prompt_tokens": 19, "completion_tokens": 10, "total_tokens": 29,
            "prompt_tokens_details": { "cached_tokens": 0, "audio_tokens": 0 },
            "completion_tokens_details": { "reasoning_tokens": 0, "audio_tokens": 0, "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0 }
          },
          "service_tier": "default"
        }
        """;

    /// <summary>A tool call answered with chat logprobs (spec-facts §3.3): the shape the mock sends with logprobs: true.</summary>
    private const string ToolCallWithLogprobs = """
        {"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"llama-8b-instruct",
         "choices":[{"index":0,"message":{"role":"assistant","content":null,"refusal":null,
           "tool_calls":[{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"days\":3}"}}]},
           "logprobs":{"content":[{"token":"{","logprob":-0.01,"bytes":[123],"top_logprobs":[{"token":"{","logprob":-0.01,"bytes":[123]}]}],"refusal":null},
           "finish_reason":"tool_calls"}],
         "usage":{"prompt_tokens":60,"completion_tokens":12,"total_tokens":72}}
        """;

    [Fact]
    public async Task Schemas_DocumentedWireOfBothDialects_Validates()
    {
        var chunk = await SchemaChecks.Load(ChatSchemaChecks.ChunkSchema);
        var completion = await SchemaChecks.Load(ChatSchemaChecks.CompletionSchema);

        LlmbaseDocsChunks.Concat(OpenAiChunks).Select(c => SchemaChecks.FirstError(chunk, c)).Should().AllSatisfy(e => e.Should().BeNull());
        SchemaChecks.FirstError(completion, OpenAiCompletion).Should().BeNull();
        SchemaChecks.FirstError(completion, ToolCallWithLogprobs).Should().BeNull();
    }

    [Theory]
    [InlineData("\"object\":\"chat.completion.chunk\"", "\"object\":\"text_completion\"", "$.object")]
    [InlineData("\"id\":\"chatcmpl-...\"", "\"id\":\"cmpl-1\"", "$.id")]
    [InlineData("\"finish_reason\":\"stop\"", "\"finish_reason\":\"eos\"", "finish_reason")]
    [InlineData("\"delta\":{}", "\"delta\":{\"text\":\"\"}", "text")]
    [InlineData("\"finish_reason\":\"stop\"}", "\"finish_reason\":\"stop\",\"stop_reason\":null}", "stop_reason")]
    [InlineData("\"total_tokens\":19", "\"total_tokens\":\"19\"", "total_tokens")]
    public async Task ChunkSchema_AKeyNeitherDialectSends_IsRefused(string from, string to, string where)
    {
        var schema = await SchemaChecks.Load(ChatSchemaChecks.ChunkSchema);
        var broken = LlmbaseDocsChunks[2].Replace(from, to, StringComparison.Ordinal);
        broken.Should().NotBe(LlmbaseDocsChunks[2]);

        SchemaChecks.FirstError(schema, broken).Should().Contain(where);
    }

    [Theory]
    [InlineData("\"refusal\": null, ", "", "refusal")]
    [InlineData("\"object\": \"chat.completion\"", "\"object\": \"chat.completion.chunk\"", "$.object")]
    [InlineData("\"finish_reason\": \"stop\"", "\"finish_reason\": null", "finish_reason")]
    [InlineData("\"role\": \"assistant\"", "\"role\": \"user\"", "role")]
    [InlineData("\"service_tier\": \"default\"", "\"prompt_logprobs\": null", "prompt_logprobs")]
    public async Task CompletionSchema_AShapeNeitherDialectSends_IsRefused(string from, string to, string where)
    {
        var schema = await SchemaChecks.Load(ChatSchemaChecks.CompletionSchema);
        var broken = OpenAiCompletion.Replace(from, to, StringComparison.Ordinal);
        broken.Should().NotBe(OpenAiCompletion);

        SchemaChecks.FirstError(schema, broken).Should().Contain(where);
    }

    [Theory]
    [InlineData(true, false, "chat.schema.completion")]
    [InlineData(false, true, "chat.schema.chunk")]
    public async Task RunAsync_AKeyTheSchemaDoesNotAdmit_IsReportedAtTheProfilesLevel(bool inCompletion, bool inChunks, string id)
    {
        var fake = new StrictChatOptions { ExtraKeyInCompletion = inCompletion, ExtraKeyInChunks = inChunks };

        var acs = await StrictChatServer.RunAsync(fake, "acs", toolProbe: true, "chat.schema");
        var vllm = await StrictChatServer.RunAsync(fake, "vllm", toolProbe: true, "chat.schema");

        // acs: a key a backend adds is a warning (as schema.*); vLLM's stop_reason is its wire by design.
        var warned = acs.Checks.Single(c => c.Id == id);
        warned.Verdict.Should().Be(Verdict.Warn);
        warned.Message.Should().Contain("stop_reason");
        acs.Checks.Where(c => c.Id != id).Should().OnlyContain(c => c.Verdict == Verdict.Pass);
        vllm.Checks.Single(c => c.Id == id).Verdict.Should().Be(Verdict.Divergence);
    }

    [Fact]
    public async Task RunAsync_CompletionsSchemaCheck_LeavesChatStreamsToTheChatSchema()
    {
        // schema.chunk judged every stream of the run; chat chunks would break the completions chunk schema.
        await using var server = await StrictChatServer.StartAsync();
        var options = Suite.Options(server.BaseUrl, "chat.schema.chunk", "schema.chunk");

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Single(c => c.Id == "chat.schema.chunk").Verdict.Should().Be(Verdict.Pass);
        var completions = report.Checks.Single(c => c.Id == "schema.chunk");
        completions.Message.Should().Contain("HTTP 404", "this server serves no completions, and the chat streams are not schema.chunk's to judge");
    }
}
