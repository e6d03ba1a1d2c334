using System.Text.Json;
using MockServer.Dialects;
using static MockServer.Tests.Chat.ChatResponseHarness;

namespace MockServer.Tests.Chat;

/// <summary>The streamed chat wire per dialect (issue 7; spec-facts §5, §12.2, §13, provider-docs/llmbase-chat-stream.txt).</summary>
public sealed class ChatStreamTests
{
    public static TheoryData<string> DialectNames => ["llmbase", "openai", "acs", "test-combined"];

    private static Dialect DialectNamed(string name) => Dialects.Dialects.Find(name) ?? Combined;

    [Fact]
    public async Task Llmbase_role_chunk_has_no_content_and_the_final_chunk_carries_empty_delta_finish_and_usage()
    {
        var request = Request(Dialects.Dialects.Llmbase, maxTokens: 9);

        var transcript = await StreamAsync(request);

        var chunks = transcript.Chunks;
        Delta(chunks[0]).Should().Be("""{"role":"assistant"}""");
        chunks.Skip(1).SkipLast(1).Should().OnlyContain(c => Delta(c).StartsWith("{\"content\":", StringComparison.Ordinal));
        chunks.Skip(1).SkipLast(1).Should().HaveCount(9, "one content delta per token");
        var last = chunks[^1];
        Delta(last).Should().Be("{}");
        last.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("length");
        var usage = last.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().Should().Be(request.Prompt.Tokens.Count);
        usage.GetProperty("completion_tokens").GetInt32().Should().Be(9);
        usage.GetProperty("total_tokens").GetInt32().Should().Be(request.Prompt.Tokens.Count + 9);
        chunks.SkipLast(1).Should().OnlyContain(c => !Has(c, "usage"), "the seed provider's other chunks have no usage key");
    }

    [Theory]
    [InlineData(null)]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Llmbase_usage_is_in_the_final_chunk_of_every_stream_whatever_stream_options_say(bool? includeUsage)
    {
        var transcript = await StreamAsync(Request(Dialects.Dialects.Llmbase, maxTokens: 4) with { IncludeUsage = includeUsage });

        transcript.Chunks.Where(c => c.TryGetProperty("usage", out _)).Should().ContainSingle()
            .Which.Should().Match<JsonElement>(c => c.GetProperty("choices").GetArrayLength() == 1 && c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.String);
        transcript.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(4);
    }

    [Fact]
    public async Task Openai_role_chunk_has_empty_content_finish_is_separate_and_no_usage_without_include_usage()
    {
        var transcript = await StreamAsync(Request(Dialects.Dialects.OpenAi, maxTokens: 5));

        Delta(transcript.Chunks[0]).Should().Be("""{"role":"assistant","content":""}""");
        Delta(transcript.Chunks[^1]).Should().Be("{}");
        transcript.Chunks[^1].GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("length");
        transcript.Chunks.Should().OnlyContain(c => !Has(c, "usage"));
    }

    [Fact]
    public async Task Openai_usage_with_include_usage_is_a_last_choices_empty_chunk_and_null_elsewhere()
    {
        var request = Request(Dialects.Dialects.OpenAi, maxTokens: 5) with { IncludeUsage = true, N = 2 };

        var transcript = await StreamAsync(request);

        var last = transcript.Chunks[^1];
        last.GetProperty("choices").GetArrayLength().Should().Be(0);
        last.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().Should().Be(request.Prompt.Tokens.Count);
        last.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(10, "summed over both choices");
        last.GetProperty("usage").GetProperty("total_tokens").GetInt32().Should().Be(request.Prompt.Tokens.Count + 10);
        transcript.Chunks.SkipLast(1).Should().OnlyContain(c => c.GetProperty("usage").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task A_dialect_with_finish_on_the_last_content_and_null_role_content_is_followed_as_data()
    {
        var transcript = await StreamAsync(Request(Combined, maxTokens: 3));

        Delta(transcript.Chunks[0]).Should().Be("""{"role":"assistant","content":null}""");
        transcript.Chunks.Should().HaveCount(4, "role + three content deltas, the finish riding on the last");
        var last = transcript.Chunks[^1];
        Delta(last).Should().StartWith("{\"content\":");
        last.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("length");
        last.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(3);
    }

    [Theory]
    [MemberData(nameof(DialectNames))]
    public async Task Every_dialect_streams_what_the_non_streamed_answer_says(string name)
    {
        var dialect = DialectNamed(name);
        var request = Request(dialect, maxTokens: 30) with { N = 2, Stop = [" the"], IncludeUsage = true };

        var body = await CompleteAsync(request);
        var transcript = await StreamAsync(request);

        transcript.Chunks.Select(c => c.GetProperty("id").GetString()).Distinct().Should().ContainSingle().Which.Should().StartWith("chatcmpl-");
        transcript.Chunks.Select(c => c.GetProperty("created").GetInt64()).Distinct().Should().ContainSingle();
        transcript.Chunks.Select(c => c.GetProperty("model").GetString()).Distinct().Should().Equal(request.Model.Root);
        transcript.Chunks.Should().OnlyContain(c => c.GetProperty("object").GetString() == "chat.completion.chunk");
        for (var i = 0; i < 2; i++)
        {
            var choices = transcript.ChoiceChunks(i);
            var expected = body.GetProperty("choices")[i];
            choices[0].GetProperty("delta").GetProperty("role").GetString().Should().Be("assistant", "a role chunk opens every choice");
            choices.Skip(1).Should().OnlyContain(c => !Has(c.GetProperty("delta"), "role"));
            transcript.StreamedContent(i).Should().Be(expected.GetProperty("message").GetProperty("content").GetString());
            choices.Where(c => c.GetProperty("finish_reason").ValueKind != JsonValueKind.Null).Should().ContainSingle()
                .Which.GetProperty("finish_reason").GetString().Should().Be(expected.GetProperty("finish_reason").GetString());
            choices[^1].GetProperty("finish_reason").ValueKind.Should().Be(JsonValueKind.String, "nothing follows a choice's finish");
            // OpenAI writes "logprobs": null on every chunk; the seed provider's documented chunks have no such key (§13).
            string[] keys = request.Model.Dialect.LogprobsNullInChunks ? ["index", "delta", "logprobs", "finish_reason"] : ["index", "delta", "finish_reason"];
            choices.Select(c => c.TryGetProperty("logprobs", out var l) ? l.ValueKind : JsonValueKind.Null).Should().OnlyContain(k => k == JsonValueKind.Null);
            choices.Should().OnlyContain(c => c.EnumerateObject().Select(p => p.Name).SequenceEqual(keys));
        }

        var usages = transcript.Chunks.Where(c => c.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object).ToList();
        usages.Should().ContainSingle().Which.GetProperty("usage").GetRawText().Should().Be(body.GetProperty("usage").GetRawText());
        usages[0].GetRawText().Should().Be(transcript.Chunks[^1].GetRawText(), "usage comes last, on the final finish chunk or in a choices: [] chunk");
    }

    [Theory]
    [MemberData(nameof(DialectNames))]
    public async Task Streamed_logprobs_are_per_chunk_and_add_up_to_the_non_streamed_ones(string name)
    {
        var request = Request(DialectNamed(name), maxTokens: 10) with { Logprobs = true, TopLogprobs = 2 };

        var body = await CompleteAsync(request);
        var transcript = await StreamAsync(request);

        var content = transcript.ChoiceChunks().Where(c => c.GetProperty("delta").TryGetProperty("content", out var t) && t.GetString() is { Length: > 0 }).ToList();
        content.Should().HaveCount(10);
        foreach (var chunk in content)
        {
            var entries = chunk.GetProperty("logprobs").GetProperty("content").EnumerateArray().ToList();
            entries.Should().ContainSingle("each chunk carries the entries of its own token");
            entries[0].GetProperty("token").GetString().Should().Be(chunk.GetProperty("delta").GetProperty("content").GetString());
            chunk.GetProperty("logprobs").GetProperty("refusal").ValueKind.Should().Be(JsonValueKind.Null);
        }

        var streamed = content.SelectMany(c => c.GetProperty("logprobs").GetProperty("content").EnumerateArray()).Select(e => e.GetRawText());
        var whole = body.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content").EnumerateArray().Select(e => e.GetRawText());
        streamed.Should().Equal(whole);
    }

    [Fact]
    public async Task Same_seed_streams_the_same_bytes()
    {
        var (_, _, first) = await RespondAsync(Request(Dialects.Dialects.Llmbase, seed: 5) with { Stream = true, Logprobs = true, TopLogprobs = 1 });
        var (_, _, again) = await RespondAsync(Request(Dialects.Dialects.Llmbase, seed: 5) with { Stream = true, Logprobs = true, TopLogprobs = 1 });

        again.Should().Be(first);
    }

    private static bool Has(JsonElement element, string key) => element.TryGetProperty(key, out _);

    private static string Delta(JsonElement chunk) => chunk.GetProperty("choices")[0].GetProperty("delta").GetRawText();
}
