using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.ServerDialects;

/// <summary>
/// The <c>llamacpp</c> dialect (issue 9), one test per quirk of <c>Dialects.LlamaCpp</c> (spec-facts §12 and the facts it
/// leans on): each fails if its quirk is removed from the dialect data.
/// </summary>
public sealed class LlamaCppDialectTests : IAsyncLifetime
{
    private const string Completions = "completions";
    private const string Chat = "chat/completions";
    private DialectServer _mock = null!;

    public async Task InitializeAsync() => _mock = await DialectServer.StartAsync("llamacpp");

    public async Task DisposeAsync() => await _mock.DisposeAsync();

    [Fact]
    public async Task Booleans_are_coerced_but_numeric_strings_are_refused()
    {
        // llamacpp.booleans-coerced and llamacpp.numeric-strings-refused (§12.1).
        var one = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":true}""");
        one.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(1);

        var error = await _mock.ErrorAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":"16"}""", 400);
        error.GetProperty("code").GetInt32().Should().Be(400);
    }

    [Fact]
    public async Task Unknown_fields_echo_and_stream_options_without_stream_are_ignored()
    {
        // llamacpp.unknown-parameters-ignored (§12.1): echo is read past, so the prompt is not repeated.
        var body = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello there","max_tokens":3,"echo":true,"max_tokenz":1,"stream_options":{"include_usage":true}}""");

        body.GetProperty("choices")[0].GetProperty("text").GetString().Should().NotStartWith("Hello there");
        await _mock.OkAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":2,"n_probs":3}""");
    }

    [Theory]
    [InlineData(",\"n\":1")]
    [InlineData(",\"n\":2,\"temperature\":0.7")]
    public async Task Best_of_is_not_a_llama_cpp_parameter_and_is_read_past(string rest)
    {
        // llamacpp.unknown-parameters-ignored (§9 Q1, §12.1): best_of below n, or above n in a stream, would be 400 where it is read.
        var body = await _mock.OkAsync(Completions, "{\"model\":\"llama-8b\",\"prompt\":\"Hello\",\"max_tokens\":2,\"best_of\":0" + rest + "}");
        body.GetProperty("choices").GetArrayLength().Should().Be(rest.Contains("\"n\":2", StringComparison.Ordinal) ? 2 : 1);

        var (status, stream) = await _mock.PostAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2,"best_of":3,"stream":true}""");
        status.Should().Be(200, stream);
    }

    [Fact]
    public async Task Greedy_sampling_with_several_choices_is_served_with_identical_choices()
    {
        // llamacpp.greedy-choices-served: vLLM's "n must be 1 when using greedy sampling" (§1.2) is not llama.cpp's.
        var completion = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":4,"n":2,"temperature":0}""");
        var texts = completion.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()).ToList();
        texts.Should().HaveCount(2);
        texts.Distinct().Should().ContainSingle("greedy sampling makes every choice the same");

        var chat = await _mock.OkAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"n":2,"temperature":0}""");
        chat.GetProperty("choices").GetArrayLength().Should().Be(2);
    }

    [Fact]
    public async Task Max_tokens_zero_makes_one_token_and_a_negative_value_fills_the_context()
    {
        // llamacpp.max-tokens-lenient (§12.1), on a model with a small context so "until the context is full" is short.
        await using var mock = await DialectServer.StartAsync("llamacpp", new FixtureDocument("tiny.json",
            """{"models":[{"id":"tiny","root":"tiny/base","max_model_len":24}]}"""));
        var zero = await mock.OkAsync(Completions, """{"model":"tiny","prompt":"Hello","max_tokens":0}""");
        zero.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(1);

        var fill = await mock.OkAsync(Completions, """{"model":"tiny","prompt":"Hello","max_tokens":-1,"seed":1}""");
        var usage = fill.GetProperty("usage");
        var finish = fill.GetProperty("choices")[0].GetProperty("finish_reason").GetString();
        usage.GetProperty("completion_tokens").GetInt32().Should().BeGreaterThan(16, "more than the default 16 when the context allows");
        if (finish == "length")
        {
            usage.GetProperty("total_tokens").GetInt32().Should().Be(24, "generation stops where the context is full");
        }
    }

    [Fact]
    public async Task Invalid_json_and_an_empty_body_get_500_server_error()
    {
        // llamacpp.invalid-json-500 (§12.1) and llamacpp.error-shape (§6.1): integer code, no param.
        foreach (var body in new[] { "{\"model\": \"llama-8b\", \"prompt\": ", "" })
        {
            var error = await _mock.ErrorAsync(Completions, body, 500);
            error.GetProperty("type").GetString().Should().Be("server_error");
            error.GetProperty("code").GetInt32().Should().Be(500);
            error.TryGetProperty("param", out _).Should().BeFalse();
        }
    }

    [Fact]
    public async Task Content_type_is_not_checked()
    {
        // llamacpp.content-type-unchecked (§12.1).
        var (status, body) = await _mock.PostAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2}""", "text/plain");

        status.Should().Be(200, body);
    }

    [Fact]
    public async Task Any_model_name_or_none_is_answered_by_the_served_model()
    {
        // llamacpp.model-not-validated (§12.1): answered as the served alias.
        var unknown = await _mock.OkAsync(Completions, """{"model":"gpt-4o","prompt":"Hello","max_tokens":2}""");
        unknown.GetProperty("model").GetString().Should().Be(await _mock.FirstServingAsync("completions"));

        await _mock.OkAsync(Completions, """{"prompt":"Hello","max_tokens":2}""");
        var chat = await _mock.OkAsync(Chat, """{"model":"whatever","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""");
        chat.GetProperty("model").GetString().Should().Be(await _mock.FirstServingAsync("chat"));
    }

    [Fact]
    public async Task Errors_have_an_integer_code_no_param_and_llama_types()
    {
        // llamacpp.error-shape (§6.1, §12.1).
        var error = await _mock.ErrorAsync(Completions, """{"model":"llama-8b","prompt":"Hello","n":0}""", 400);

        error.GetProperty("code").GetInt32().Should().Be(400);
        error.TryGetProperty("param", out _).Should().BeFalse();
        error.GetProperty("type").GetString().Should().Be("invalid_request_error");
    }

    [Fact]
    public async Task Completions_logprobs_come_in_the_chat_shape_streamed_and_not()
    {
        // llamacpp.chat-shaped-logprobs (§3.2, §12.1).
        var body = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":3,"logprobs":2}""");
        var content = body.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("content");
        content.GetArrayLength().Should().Be(body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        var first = content[0];
        first.GetProperty("id").ValueKind.Should().Be(JsonValueKind.Number);
        first.GetProperty("bytes").EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray()
            .Should().Equal(System.Text.Encoding.UTF8.GetBytes(first.GetProperty("token").GetString()!));
        first.GetProperty("top_logprobs").GetArrayLength().Should().Be(2);

        var stream = await _mock.StreamAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":3,"logprobs":1,"stream":true}""");
        var withText = stream.ContentChunks.Select(c => c.GetProperty("choices")[0]).Where(c => c.GetProperty("text").GetString()!.Length > 0).ToList();
        withText.Should().NotBeEmpty().And.OnlyContain(c => c.GetProperty("logprobs").GetProperty("content").GetArrayLength() >= 1);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",\"stream_options\":{\"include_usage\":false}")]
    [InlineData(",\"stream_options\":{\"include_usage\":true}")]
    public async Task A_stream_ends_with_an_empty_finish_chunk_carrying_the_usage_whatever_stream_options_says(string options)
    {
        // llamacpp.usage-on-finish-chunk (§4.3, §12.1) and llamacpp.no-vllm-keys: no choices: [] chunk, no usage key before.
        var stream = await _mock.StreamAsync(Completions, $$"""{"model":"llama-8b","prompt":"Hello","max_tokens":3,"stream":true{{options}}}""");

        stream.Chunks.Should().OnlyContain(c => c.GetProperty("choices").GetArrayLength() == 1);
        var last = stream.Chunks[^1];
        var choice = last.GetProperty("choices")[0];
        choice.GetProperty("text").GetString().Should().BeEmpty();
        choice.GetProperty("finish_reason").GetString().Should().BeOneOf("length", "stop");
        choice.TryGetProperty("stop_reason", out _).Should().BeFalse();
        last.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().BeGreaterThan(0);
        last.GetProperty("timings").GetProperty("predicted_n").GetInt32().Should().Be(last.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        stream.Chunks.Take(stream.Chunks.Count - 1).Should().OnlyContain(c => !DialectServer.Has(c, "usage")
            && c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.Null);
    }

    [Fact]
    public async Task Text_completions_get_chatcmpl_ids_and_no_vllm_keys()
    {
        // llamacpp.chatcmpl-ids (§9 Q16, §12.1) and llamacpp.no-vllm-keys (§9 Q13).
        var body = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2}""");

        body.GetProperty("id").GetString().Should().StartWith("chatcmpl-");
        body.GetProperty("object").GetString().Should().Be("text_completion");
        body.GetProperty("choices")[0].TryGetProperty("stop_reason", out _).Should().BeFalse();
        body.GetProperty("choices")[0].TryGetProperty("prompt_logprobs", out _).Should().BeFalse();
        body.TryGetProperty("kv_transfer_params", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Model_cards_carry_meta_and_none_of_vllms_keys()
    {
        // llamacpp.no-vllm-keys (§7).
        var list = JsonDocument.Parse(await _mock.Client.GetStringAsync("models")).RootElement;

        foreach (var card in list.GetProperty("data").EnumerateArray())
        {
            card.GetProperty("owned_by").GetString().Should().Be("llamacpp");
            card.GetProperty("meta").GetProperty("n_ctx_train").GetInt32().Should().BePositive();
            card.TryGetProperty("root", out _).Should().BeFalse();
            card.TryGetProperty("permission", out _).Should().BeFalse();
        }
    }

    [Fact]
    public async Task Chat_role_chunk_has_content_null_and_chunks_carry_the_fingerprint()
    {
        // llamacpp.chat-role-content-null, llamacpp.chat-usage-when-included and llamacpp.system-fingerprint (§12.2).
        var stream = await _mock.StreamAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"stream":true,"stream_options":{"include_usage":true}}""");

        var role = stream.Chunks[0].GetProperty("choices")[0].GetProperty("delta");
        role.GetProperty("content").ValueKind.Should().Be(JsonValueKind.Null);
        stream.Chunks.Should().OnlyContain(c => c.GetProperty("system_fingerprint").GetString() == "b10587-mock");
        stream.ContentChunks.Should().OnlyContain(c => !DialectServer.Has(c, "usage") && !DialectServer.Has(c.GetProperty("choices")[0], "logprobs"));
        stream.Chunks[^1].GetProperty("choices").GetArrayLength().Should().Be(0);
    }

    [Fact]
    public async Task Omitted_sampler_parameters_take_llama_cpps_defaults()
    {
        // llamacpp.default-sampling (§9 Q18): the same seeded request answers as with llama.cpp's values written out.
        const string Prompt = "\"model\":\"llama-8b\",\"prompt\":\"Once upon a time\",\"max_tokens\":24,\"seed\":11";
        var omitted = await _mock.OkAsync(Completions, $"{{{Prompt}}}");
        var llama = await _mock.OkAsync(Completions, $"{{{Prompt},\"temperature\":0.8,\"top_k\":40,\"top_p\":0.95,\"min_p\":0.05}}");
        var openAi = await _mock.OkAsync(Completions, $"{{{Prompt},\"temperature\":1,\"top_k\":0,\"top_p\":1,\"min_p\":0}}");

        string Text(JsonElement body) => body.GetProperty("choices")[0].GetProperty("text").GetString()!;
        Text(llama).Should().NotBe(Text(openAi), "the two sets of defaults must lead apart for this test to tell them apart");
        Text(omitted).Should().Be(Text(llama));
    }

    [Fact]
    public async Task Chat_to_a_model_without_a_template_is_rendered_with_chatml()
    {
        // llamacpp.chatml-fallback (§9 Q23): vLLM and the strict provider answer 400 here.
        var body = await _mock.OkAsync(Chat, """{"model":"llama-8b","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""");

        body.GetProperty("model").GetString().Should().Be("llama-8b");
        body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32().Should().BeGreaterThan(1);
    }

    [Theory]
    [InlineData("completions", "{\"model\":\"llama-8b\",\"prompt\":\"Hello\",\"max_tokens\":3,\"stream\":true}")]
    [InlineData("chat/completions", "{\"model\":\"llama-8b-instruct\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":3,\"stream\":true}")]
    public async Task Created_is_read_per_chunk_and_the_last_chunk_carries_the_timings(string path, string body)
    {
        // llamacpp.created-per-chunk (§4.2, §9 Q15): with 2 s between tokens on a clock the test moves, created ticks;
        // llamacpp.timings (§12.1, §12.2): the last chunk says how long generation took by that same timing model.
        var clock = new WatchedTimeProvider();
        var options = new MockServer.Hosting.MockServerOptions { Profile = "llamacpp", TimeProvider = clock, Timing = new MockServer.Hosting.StreamTiming { InterTokenLatency = TimeSpan.FromSeconds(2) } };
        await using var mock = await MockServer.Hosting.MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        var send = client.PostAsync(path, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        while (!send.IsCompleted)
        {
            // The server's next token timer, or the end of the answer (a hang guard only bounds a broken server).
            await Task.WhenAny(clock.WaitForPendingAsync(1), send).WaitAsync(TimeSpan.FromSeconds(30));
            if (!send.IsCompleted)
            {
                await Task.Run(() => clock.Advance(TimeSpan.FromSeconds(2)));
            }
        }

        using var response = await send;
        var stream = SseTranscript.Parse(await response.Content.ReadAsStringAsync());
        var created = stream.Chunks.Select(c => c.GetProperty("created").GetInt64()).ToList();
        created[^1].Should().BeGreaterThan(created[0]);

        // Chat's finish chunk has no usage without include_usage (§12.2); the count is checked where usage is (above).
        var timings = stream.Chunks[^1].GetProperty("timings");
        var generated = timings.GetProperty("predicted_n").GetInt32();
        generated.Should().BeInRange(1, 3);
        timings.GetProperty("predicted_ms").GetDouble().Should().Be((generated - 1) * 2000.0);
        timings.GetProperty("prompt_n").GetInt32().Should().BePositive();
        stream.Chunks.Take(stream.Chunks.Count - 1).Should().OnlyContain(c => !DialectServer.Has(c, "timings"));
    }

    [Fact]
    public async Task A_non_streamed_completion_carries_the_timings()
    {
        // llamacpp.timings (§12.1): no timing model, so no time passed.
        var body = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":3}""");

        var timings = body.GetProperty("timings");
        timings.GetProperty("predicted_n").GetInt32().Should().Be(body.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        timings.GetProperty("prompt_n").GetInt32().Should().Be(body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        timings.GetProperty("prompt_ms").GetDouble().Should().Be(0);
    }
}
