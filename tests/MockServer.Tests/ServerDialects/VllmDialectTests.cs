using System.Text.Json;

namespace MockServer.Tests.ServerDialects;

/// <summary>
/// The <c>vllm</c> dialect (issue 9), one test per quirk of <c>Dialects.Vllm</c>: each fails if its quirk is removed
/// from the dialect data (the strict provider's rule then answers instead).
/// </summary>
public sealed class VllmDialectTests : IAsyncLifetime
{
    private const string Completions = "completions";
    private const string Chat = "chat/completions";
    private DialectServer _mock = null!;

    public async Task InitializeAsync() => _mock = await DialectServer.StartAsync("vllm");

    public async Task DisposeAsync() => await _mock.DisposeAsync();

    [Fact]
    public async Task Booleans_in_numeric_fields_are_read_as_one_and_zero()
    {
        // vllm.booleans-coerced (§1.1 PYD, §9 Q2): max_tokens: true is one token; n: false is n: 0, refused as a range.
        var one = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":true,"temperature":true}""");
        one.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(1);

        var zero = await _mock.ErrorAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2,"n":false}""", 400);
        zero.GetProperty("param").GetString().Should().Be("n");
        zero.GetProperty("message").GetString().Should().Contain("minimum", "the coerced 0 meets n's range, not a type check");
    }

    [Fact]
    public async Task Numeric_strings_are_read_as_numbers_and_boolean_fields_are_lax()
    {
        // vllm.numeric-strings-coerced: "3" is 3 tokens; stream: "true" streams (pydantic lax mode).
        var body = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":"3","temperature":"0.5","seed":"7"}""");
        body.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().BeLessThanOrEqualTo(3);
        body.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().BeOneOf("length", "stop");

        var stream = await _mock.StreamAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2,"stream":"true"}""");
        stream.Chunks.Should().NotBeEmpty();
    }

    [Fact]
    public async Task Completions_n_null_is_refused_but_chat_reads_it_as_absent()
    {
        // vllm.completions-n-null-refused (§1.1): CompletionRequest declares n: int = 1, not Optional.
        var error = await _mock.ErrorAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2,"n":null}""", 400);
        error.GetProperty("param").GetString().Should().Be("n");

        var chat = await _mock.OkAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":2,"n":null}""");
        chat.GetProperty("choices").GetArrayLength().Should().Be(1);
    }

    [Fact]
    public async Task Unknown_parameters_are_ignored_on_completions_and_chat()
    {
        // vllm.unknown-parameters-ignored (§0.3 vllm#10463): a misspelled field is not an error.
        await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokenz":4,"max_tokens":2}""");
        await _mock.OkAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":2,"guided_json":{}}""");
    }

    [Fact]
    public async Task Errors_carry_the_status_as_an_integer_code_and_vllm_types()
    {
        // vllm.integer-error-code (§6.1, §10 item 7).
        var error = await _mock.ErrorAsync(Completions, """{"model":"no-such-model","prompt":"Hello"}""", 404);

        error.GetProperty("code").ValueKind.Should().Be(JsonValueKind.Number);
        error.GetProperty("code").GetInt32().Should().Be(404);
        error.GetProperty("type").GetString().Should().Be("NotFoundError");
        error.GetProperty("param").GetString().Should().Be("model");

        var range = await _mock.ErrorAsync(Completions, """{"model":"llama-8b","prompt":"Hello","top_p":0}""", 400);
        range.GetProperty("code").GetInt32().Should().Be(400);
        range.GetProperty("type").GetString().Should().Be("BadRequestError");
    }

    [Fact]
    public async Task The_in_stream_error_event_has_the_integer_code_too()
    {
        // §4.6: vLLM's data: {"error": {..., "code": 500}} then [DONE].
        var stream = await _mock.StreamAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":8,"stream":true}""", fault: "error_after=1");

        var error = stream.Chunks[^1].GetProperty("error");
        error.GetProperty("code").GetInt32().Should().Be(500);
    }

    [Fact]
    public async Task Stream_options_without_include_usage_sends_the_usage_chunk()
    {
        // vllm.include-usage-default-true (§4.4, §9 Q11): {} means include_usage: true.
        var completion = await _mock.StreamAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":3,"stream":true,"stream_options":{}}""");
        completion.Chunks[^1].GetProperty("choices").GetArrayLength().Should().Be(0);
        completion.Chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().BeGreaterThan(0);

        var chat = await _mock.StreamAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"stream":true,"stream_options":{}}""");
        chat.Chunks[^1].GetProperty("choices").GetArrayLength().Should().Be(0);
        chat.Chunks[^1].TryGetProperty("usage", out _).Should().BeTrue();

        var off = await _mock.StreamAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":3,"stream":true,"stream_options":{"include_usage":false}}""");
        off.Chunks.Should().OnlyContain(c => c.GetProperty("choices").GetArrayLength() > 0, "an explicit false still turns it off");
    }

    [Fact]
    public async Task An_empty_stream_options_without_stream_is_accepted_but_a_non_empty_one_is_not()
    {
        // vllm.stream-options-empty-accepted (§1.2, §9 Q21): vLLM tests the dict's truth.
        await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2,"stream_options":{}}""");
        var error = await _mock.ErrorAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2,"stream_options":{"include_usage":true}}""", 400);
        error.GetProperty("param").GetString().Should().Be("stream_options");
    }

    [Fact]
    public async Task A_request_without_model_is_answered_by_the_served_model_named_by_its_alias()
    {
        // vllm.model-optional (§1.2) and vllm.model-is-alias (§2.2 I5).
        var unnamed = await _mock.OkAsync(Completions, """{"prompt":"Hello","max_tokens":2}""");
        unnamed.GetProperty("model").GetString().Should().Be(await _mock.FirstServingAsync("completions"), "the first model the fixtures declare that serves completions");

        var named = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2}""");
        named.GetProperty("model").GetString().Should().Be("llama-8b");

        await _mock.OkAsync(Chat, """{"model":null,"messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""");
    }

    [Fact]
    public async Task A_chat_finish_rides_on_the_last_content_delta_with_its_stop_reason()
    {
        // vllm.chat-finish-with-last-content (§5) and vllm.chat-stop-reason.
        var stream = await _mock.StreamAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":4,"stream":true}""");
        var finish = stream.ContentChunks.Single(c => c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind == JsonValueKind.String);
        var choice = finish.GetProperty("choices")[0];

        choice.GetProperty("delta").TryGetProperty("content", out _).Should().BeTrue("the finish is combined with the last content delta, not a delta: {} chunk");
        choice.TryGetProperty("stop_reason", out var stopReason).Should().BeTrue();
        stopReason.ValueKind.Should().Be(JsonValueKind.Null);
        stream.ContentChunks[^1].GetRawText().Should().Be(finish.GetRawText(), "it is the last content chunk");
    }

    [Fact]
    public async Task Chat_choices_carry_stop_reason_and_logprobs_have_no_refusal_key()
    {
        // vllm.chat-stop-reason and vllm.chat-logprobs-no-refusal (§3.3, §5 notes).
        var body = await _mock.OkAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"logprobs":true,"top_logprobs":2}""");
        var choice = body.GetProperty("choices")[0];

        choice.TryGetProperty("stop_reason", out _).Should().BeTrue();
        choice.GetProperty("logprobs").TryGetProperty("refusal", out _).Should().BeFalse();
        choice.GetProperty("logprobs").GetProperty("content").GetArrayLength().Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Chat_content_chunks_have_no_usage_key_even_with_include_usage()
    {
        // vllm.chat-no-usage-key (§4.4, §5): unset keys are dropped.
        var stream = await _mock.StreamAsync(Chat, """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"stream":true,"stream_options":{"include_usage":true}}""");

        stream.ContentChunks.Should().OnlyContain(c => !DialectServer.Has(c, "usage"));
    }

    [Fact]
    public async Task Completions_keep_vllm_keys()
    {
        // vllm.completion-keys (§2.1, §4.2).
        var body = await _mock.OkAsync(Completions, """{"model":"llama-8b","prompt":"Hello","max_tokens":2}""");
        body.GetProperty("choices")[0].TryGetProperty("stop_reason", out _).Should().BeTrue();
        body.GetProperty("choices")[0].TryGetProperty("prompt_logprobs", out _).Should().BeTrue();
        body.GetProperty("id").GetString().Should().StartWith("cmpl-");
    }
}
