using System.Globalization;
using System.Text.Json;
using MockServer.Hosting;
using MockServer.Tests.Functional;
using MockServer.Tests.TestUtils;
using MockServer.Tokenization;

namespace MockServer.Tests.Generation;

/// <summary>The legacy logprobs object and vLLM's prompt_logprobs (spec-facts §3.1, §3.4).</summary>
public sealed class LogprobsTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    [Theory]
    [InlineData(0, "\"The river\"")]
    [InlineData(1, "\"The river\"")]
    [InlineData(5, "\"The capital of France is\"")]
    [InlineData(20, "\"Five reasons to learn Rust:\\n1.\"")]
    public async Task Arrays_line_up_and_each_top_holds_k_or_k_plus_one_with_the_sampled_token(int k, string prompt)
    {
        var (_, body, json) = await server.Client.CompleteAsync($$"""{"model":"llama-8b","prompt":{{prompt}},"max_tokens":25,"seed":2,"logprobs":{{k}}}""");

        body.ShouldConformTo(Schemas.Completion);
        var logprobs = json.GetProperty("choices")[0].GetProperty("logprobs");
        var tokens = logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var values = logprobs.GetProperty("token_logprobs").EnumerateArray().Select(v => v.GetDouble()).ToList();
        var tops = logprobs.GetProperty("top_logprobs").EnumerateArray().ToList();
        var offsets = logprobs.GetProperty("text_offset").EnumerateArray().Select(v => v.GetInt32()).ToList();
        new[] { values.Count, tops.Count, offsets.Count }.Should().AllBeEquivalentTo(tokens.Count);
        json.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(tokens.Count);

        for (var i = 0; i < tokens.Count; i++)
        {
            values[i].Should().BeLessThanOrEqualTo(0);
            var top = tops[i].EnumerateObject().ToList();
            top.Count.Should().BeInRange(Math.Max(1, k), k + 1);
            top.Should().Contain(p => p.Name == tokens[i] && p.Value.GetDouble() == values[i], "the sampled token is in its top list with its own logprob");
            top.Select(p => p.Value.GetDouble()).Should().BeInDescendingOrder();
            top.Sum(p => Math.Exp(p.Value.GetDouble())).Should().BeLessThanOrEqualTo(1 + 1e-9, "the alternatives come from one distribution");
            if (top.Count == k + 1)
            {
                top[^1].Name.Should().Be(tokens[i], "the k+1-th entry is the sampled token from outside the top k");
            }
        }

        offsets.Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Text_offsets_count_unicode_code_points()
    {
        await using var mock = await MockLlmServer.StartAsync(StreamingTests.WithFixture("Emoji:", [" 😀", "é", " ok"]));
        using var client = Api.ClientFor(mock);

        var (_, _, json) = await client.CompleteAsync("""{"model":"llama-8b","prompt":"Emoji:","max_tokens":3,"logprobs":0}""");

        // " 😀" is two code points but three UTF-16 units; vLLM counts with Python's len (spec-facts L5).
        json.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("text_offset").EnumerateArray().Select(v => v.GetInt32())
            .Should().Equal(0, 2, 3);
    }

    [Fact]
    public async Task Echo_prepends_the_prompt_and_covers_it_with_a_null_first_entry()
    {
        var (_, body, json) = await server.Client.CompleteAsync("""{"model":"llama-8b","prompt":"The capital of France is","max_tokens":1,"logprobs":2,"echo":true}""");

        body.ShouldConformTo(Schemas.Completion);
        var choice = json.GetProperty("choices")[0];
        choice.GetProperty("text").GetString().Should().Be("The capital of France is a");
        var logprobs = choice.GetProperty("logprobs");
        logprobs.GetProperty("tokens").EnumerateArray().Select(t => t.GetString())
            .Should().Equal(Vocabulary.BeginOfText, "The", " capital", " of", " France", " is", " a");
        logprobs.GetProperty("token_logprobs")[0].ValueKind.Should().Be(JsonValueKind.Null);
        logprobs.GetProperty("top_logprobs")[0].ValueKind.Should().Be(JsonValueKind.Null);
        logprobs.GetProperty("token_logprobs").EnumerateArray().Skip(1).Should().OnlyContain(v => v.ValueKind == JsonValueKind.Number && v.GetDouble() <= 0);
        logprobs.GetProperty("top_logprobs")[1].EnumerateObject().Count().Should().BeInRange(2, 3);
        json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().Should().Be(6);
    }

    [Fact]
    public async Task Echo_with_zero_max_tokens_scores_the_prompt_only()
    {
        var (_, _, json) = await server.Client.CompleteAsync("""{"model":"llama-8b","prompt":"Score me","max_tokens":0,"echo":true,"logprobs":1}""");

        var choice = json.GetProperty("choices")[0];
        choice.GetProperty("text").GetString().Should().Be("Score me");
        choice.GetProperty("finish_reason").GetString().Should().Be("length");
        json.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(0);
        choice.GetProperty("logprobs").GetProperty("tokens").GetArrayLength().Should().Be(3);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public async Task Prompt_logprobs_use_vllms_shape(int k)
    {
        var (_, body, json) = await server.Client.CompleteAsync($$"""{"model":"llama-8b","prompt":"The capital of France is","max_tokens":1,"prompt_logprobs":{{k}}}""");

        body.ShouldConformTo(Schemas.Completion);
        var entries = json.GetProperty("choices")[0].GetProperty("prompt_logprobs").EnumerateArray().ToList();
        entries.Should().HaveCount(json.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        entries[0].ValueKind.Should().Be(JsonValueKind.Null);
        var tokenizer = new Tokenizer(new Vocabulary());
        var promptTokens = tokenizer.TokenizePrompt("The capital of France is");
        for (var i = 1; i < entries.Count; i++)
        {
            var entry = entries[i].EnumerateObject().ToList();
            entry.Count.Should().BeInRange(Math.Max(1, k), k + 1);
            var actual = entry[0];
            actual.Name.Should().Be(promptTokens[i].Id.ToString(CultureInfo.InvariantCulture), "the actual prompt token comes first, keyed by its id");
            actual.Value.GetProperty("decoded_token").GetString().Should().Be(promptTokens[i].Text);
            actual.Value.GetProperty("rank").GetInt32().Should().BePositive();
            entry.Skip(1).Select(e => e.Value.GetProperty("rank").GetInt32()).Should().BeInAscendingOrder();
        }
    }

    [Fact]
    public async Task Logprobs_are_null_unless_asked_for()
    {
        var (_, _, json) = await server.Client.CompleteAsync("""{"model":"llama-8b","prompt":"Hello","max_tokens":3}""");

        json.GetProperty("choices")[0].GetProperty("logprobs").ValueKind.Should().Be(JsonValueKind.Null);
        json.GetProperty("choices")[0].GetProperty("prompt_logprobs").ValueKind.Should().Be(JsonValueKind.Null);
    }
}
