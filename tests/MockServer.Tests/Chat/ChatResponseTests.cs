using System.Text.Json;
using MockServer.Dialects;
using static MockServer.Tests.Chat.ChatResponseHarness;

namespace MockServer.Tests.Chat;

/// <summary>The non-streaming <c>chat.completion</c> body (issue 7; spec-facts §3.3, §5 notes).</summary>
public sealed class ChatResponseTests
{
    [Fact]
    public async Task Body_is_a_chat_completion_with_an_assistant_message_and_exact_usage()
    {
        var request = Request(Dialects.Dialects.Llmbase, maxTokens: 5);

        var body = await CompleteAsync(request);

        body.GetProperty("object").GetString().Should().Be("chat.completion");
        body.GetProperty("id").GetString().Should().MatchRegex("^chatcmpl-[0-9a-f]{16}$");
        body.GetProperty("created").GetInt64().Should().Be(1_741_000_000);
        body.GetProperty("model").GetString().Should().Be(request.Model.Root, "as completions report the served model's root");
        var choice = body.GetProperty("choices").EnumerateArray().Should().ContainSingle().Subject;
        choice.GetProperty("index").GetInt32().Should().Be(0);
        var message = choice.GetProperty("message");
        message.GetProperty("role").GetString().Should().Be("assistant");
        message.GetProperty("content").GetString().Should().NotBeNullOrEmpty();
        message.GetProperty("refusal").ValueKind.Should().Be(JsonValueKind.Null);
        message.TryGetProperty("tool_calls", out _).Should().BeFalse("tool_calls appear only when the model made calls");
        choice.GetProperty("logprobs").ValueKind.Should().Be(JsonValueKind.Null);

        // Five tokens asked, the synthetic model writes on: cut by length, and usage counts what was generated.
        choice.GetProperty("finish_reason").GetString().Should().Be("length");
        var usage = body.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().Should().Be(request.Prompt.Tokens.Count);
        usage.GetProperty("completion_tokens").GetInt32().Should().Be(5);
        usage.GetProperty("total_tokens").GetInt32().Should().Be(request.Prompt.Tokens.Count + 5);
        Tokenizer.TokenizePrompt(message.GetProperty("content").GetString()!).Should().HaveCount(6, "the content is the five generated tokens (plus the tokenizer's begin-of-text)");
    }

    [Fact]
    public async Task Same_seed_gives_the_same_bytes_and_another_seed_other_content()
    {
        var (_, _, first) = await RespondAsync(Request(Dialects.Dialects.OpenAi, seed: 11));
        var (_, _, again) = await RespondAsync(Request(Dialects.Dialects.OpenAi, seed: 11));
        var other = await CompleteAsync(Request(Dialects.Dialects.OpenAi, seed: 12));

        again.Should().Be(first);
        Content(other).Should().NotBe(Content(JsonDocument.Parse(first).RootElement));
    }

    [Fact]
    public async Task A_stop_string_ends_the_content_before_it_with_finish_stop()
    {
        var free = Content(await CompleteAsync(Request(Dialects.Dialects.OpenAi, maxTokens: 40)));
        var stop = free.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3];

        var body = await CompleteAsync(Request(Dialects.Dialects.OpenAi, maxTokens: 40) with { Stop = [stop] });

        Content(body).Should().Be(free[..free.IndexOf(stop, StringComparison.Ordinal)]);
        body.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("stop");
    }

    [Fact]
    public async Task N_choices_are_indexed_and_usage_sums_their_tokens()
    {
        var request = Request(Dialects.Dialects.OpenAi, maxTokens: 6) with { N = 3 };

        var body = await CompleteAsync(request);

        body.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("index").GetInt32()).Should().Equal(0, 1, 2);
        body.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("message").GetProperty("content").GetString()).Distinct().Should().HaveCount(3);
        body.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(18);
        body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().Should().Be(request.Prompt.Tokens.Count, "one prompt, counted once");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    [InlineData(20)]
    public async Task Logprobs_show_each_content_token_with_its_utf8_bytes_and_k_sorted_alternatives(int k)
    {
        var body = await CompleteAsync(Request(Dialects.Dialects.OpenAi, maxTokens: 12) with { Logprobs = true, TopLogprobs = k });

        var choice = body.GetProperty("choices")[0];
        var logprobs = choice.GetProperty("logprobs");
        logprobs.GetProperty("refusal").ValueKind.Should().Be(JsonValueKind.Null, "both keys are required (spec-facts §3.3)");
        var entries = logprobs.GetProperty("content").EnumerateArray().ToList();
        entries.Should().HaveCount(12);
        string.Concat(entries.Select(e => e.GetProperty("token").GetString())).Should().Be(Content(body));
        foreach (var entry in entries)
        {
            var token = entry.GetProperty("token").GetString()!;
            entry.GetProperty("logprob").GetDouble().Should().BeLessThanOrEqualTo(0);
            entry.GetProperty("bytes").EnumerateArray().Select(b => b.GetInt32()).Should().Equal(Utf8(token));
            var top = entry.GetProperty("top_logprobs").EnumerateArray().ToList();
            top.Should().HaveCount(k);
            top.Select(t => t.GetProperty("logprob").GetDouble()).Should().BeInDescendingOrder();
            foreach (var alternative in top)
            {
                alternative.GetProperty("bytes").EnumerateArray().Select(b => b.GetInt32()).Should().Equal(Utf8(alternative.GetProperty("token").GetString()!));
                alternative.TryGetProperty("top_logprobs", out _).Should().BeFalse();
            }

            if (k > 0)
            {
                // Values come from the model's distribution: the sampled token is no likelier than the best alternative.
                entry.GetProperty("logprob").GetDouble().Should().BeLessThanOrEqualTo(top[0].GetProperty("logprob").GetDouble());
            }
        }
    }

    [Fact]
    public async Task End_of_text_is_counted_in_usage_but_not_shown_as_a_logprobs_entry()
    {
        // Structured output is scripted and ends with end-of-text: the one place a short answer is guaranteed.
        var request = Request(Dialects.Dialects.OpenAi, maxTokens: 200) with { Logprobs = true, ResponseFormat = MockServer.Chat.ResponseFormatKind.JsonObject };

        var body = await CompleteAsync(request);

        var choice = body.GetProperty("choices")[0];
        choice.GetProperty("finish_reason").GetString().Should().Be("stop");
        var entries = choice.GetProperty("logprobs").GetProperty("content").GetArrayLength();
        body.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(entries + 1);
        entries.Should().Be(Tokenizer.TokenizePrompt(Content(body)).Count - 1);
    }

    internal static string Content(JsonElement body) => body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
}
