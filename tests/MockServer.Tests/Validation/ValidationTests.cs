using System.Net;
using System.Net.Http.Headers;
using System.Text;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Validation;

/// <summary>Strict validation before any byte of a response (spec-facts §11.1; provider docs "Gotcha").</summary>
public sealed class ValidationTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    // The 13 numeric parameters of ParameterNames.Completions (the README's count).
    private static readonly string[] Numeric =
    [
        "max_tokens", "n", "best_of", "seed", "top_k", "temperature", "top_p", "min_p",
        "presence_penalty", "frequency_penalty", "repetition_penalty", "prompt_logprobs", "logprobs",
    ];

    public static TheoryData<string, string> NumericParametersAsBooleans()
    {
        var data = new TheoryData<string, string>();
        foreach (var name in Numeric)
        {
            data.Add(name, "true");
            data.Add(name, "false");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(NumericParametersAsBooleans))]
    public async Task Boolean_in_a_numeric_parameter_is_rejected_naming_it(string name, string value)
    {
        var error = await server.Client.ErrorAsync($$"""{"model":"llama-8b","prompt":"Hi","{{name}}":{{value}}}""");

        error.GetProperty("type").GetString().Should().Be("invalid_request_error");
        error.GetProperty("param").GetString().Should().Be(name);
        error.GetProperty("code").GetString().Should().Be("invalid_type");
        error.GetProperty("message").GetString().Should().Contain(name).And.Contain("boolean");
    }

    public static TheoryData<string> NumericParameters() => [.. Numeric];

    [Fact]
    public void The_numeric_list_names_accepted_parameters() =>
        Numeric.Should().OnlyHaveUniqueItems().And.BeSubsetOf(MockServer.Validation.ParameterNames.Completions);

    [Theory]
    [MemberData(nameof(NumericParameters))]
    public async Task Numeric_string_in_a_numeric_parameter_is_rejected_naming_it(string name)
    {
        var error = await server.Client.ErrorAsync($$"""{"model":"llama-8b","prompt":"Hi","{{name}}":"1"}""");

        error.GetProperty("param").GetString().Should().Be(name);
        error.GetProperty("code").GetString().Should().Be("invalid_type");
        error.GetProperty("message").GetString().Should().Contain("string");
    }

    [Fact]
    public async Task Echo_takes_a_boolean_true_prefixes_the_prompt_and_false_does_not()
    {
        const string Body = """{"model":"llama-8b","prompt":"Hi there","max_tokens":3,"seed":7,"echo":ECHO}""";
        var (onStatus, onBody, on) = await server.Client.CompleteAsync(Body.Replace("ECHO", "true", StringComparison.Ordinal));
        var (offStatus, offBody, off) = await server.Client.CompleteAsync(Body.Replace("ECHO", "false", StringComparison.Ordinal));

        onStatus.Should().Be(200, onBody);
        offStatus.Should().Be(200, offBody);
        var echoed = on.GetProperty("choices")[0].GetProperty("text").GetString();
        var plain = off.GetProperty("choices")[0].GetProperty("text").GetString()!;
        plain.Should().NotStartWith("Hi there");
        echoed.Should().Be("Hi there" + plain, "the same seed continues the same way, after the prompt");
    }

    [Fact]
    public async Task Stream_takes_a_boolean_true_answers_an_event_stream_and_false_one_json_body()
    {
        var transcript = await server.Client.StreamAsync("""{"model":"llama-8b","prompt":"Hi","max_tokens":2,"stream":true}""");
        using var whole = await server.Client.PostAsync("""{"model":"llama-8b","prompt":"Hi","max_tokens":2,"stream":false}""");
        var body = await whole.Content.ReadAsStringAsync();

        transcript.ContentChunks.Should().NotBeEmpty();
        whole.StatusCode.Should().Be(HttpStatusCode.OK, body);
        whole.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        body.ShouldConformTo(Schemas.Completion);
    }

    [Theory]
    [InlineData("echo", "\"true\"")]
    [InlineData("stream", "1")]
    public async Task Boolean_parameters_reject_other_types(string name, string value)
    {
        var error = await server.Client.ErrorAsync($$"""{"model":"llama-8b","prompt":"Hi","{{name}}":{{value}}}""");

        error.GetProperty("param").GetString().Should().Be(name);
        error.GetProperty("code").GetString().Should().Be("invalid_type");
    }

    [Theory]
    [InlineData("max_token", "max_tokens")]
    [InlineData("temprature", "temperature")]
    [InlineData("maxTokens", "max_tokens")]
    public async Task Misspelled_parameter_is_rejected_with_a_suggestion(string name, string suggestion)
    {
        var error = await server.Client.ErrorAsync($$"""{"model":"llama-8b","prompt":"Hi","{{name}}":1}""");

        error.GetProperty("param").GetString().Should().Be(name);
        error.GetProperty("code").GetString().Should().Be("unknown_parameter");
        error.GetProperty("message").GetString().Should().Contain($"'{suggestion}'");
    }

    [Fact]
    public async Task Unknown_parameter_without_a_near_name_is_rejected()
    {
        var error = await server.Client.ErrorAsync("""{"model":"llama-8b","prompt":"Hi","messages":[]}""");

        error.GetProperty("param").GetString().Should().Be("messages");
        error.GetProperty("message").GetString().Should().NotContain("Did you mean");
    }

    [Theory]
    [InlineData("max_tokens", "\"16\"")]
    [InlineData("temperature", "\"0.5\"")]
    [InlineData("logprobs", "\"5\"")]
    [InlineData("n", "[1]")]
    [InlineData("seed", "{}")]
    [InlineData("max_tokens", "16.5")]
    public async Task Numeric_parameter_of_the_wrong_type_is_rejected(string name, string value)
    {
        var error = await server.Client.ErrorAsync($$"""{"model":"llama-8b","prompt":"Hi","{{name}}":{{value}}}""");

        error.GetProperty("param").GetString().Should().Be(name);
        error.GetProperty("code").GetString().Should().Be("invalid_type");
    }

    [Theory]
    [InlineData("temperature", "2.5", "decimal_above_max_value")]
    [InlineData("temperature", "-0.1", "decimal_below_min_value")]
    [InlineData("top_p", "0", "decimal_below_min_value")]
    [InlineData("top_p", "1.01", "decimal_above_max_value")]
    [InlineData("min_p", "1.5", "decimal_above_max_value")]
    [InlineData("presence_penalty", "2.1", "decimal_above_max_value")]
    [InlineData("frequency_penalty", "-2.1", "decimal_below_min_value")]
    [InlineData("repetition_penalty", "0", "decimal_below_min_value")]
    [InlineData("n", "0", "integer_below_min_value")]
    [InlineData("n", "129", "integer_above_max_value")]
    [InlineData("max_tokens", "-1", "integer_below_min_value")]
    [InlineData("max_tokens", "0", "integer_below_min_value")]
    [InlineData("logprobs", "21", "integer_above_max_value")]
    [InlineData("logprobs", "-1", "integer_below_min_value")]
    [InlineData("prompt_logprobs", "21", "integer_above_max_value")]
    [InlineData("top_k", "-2", "integer_below_min_value")]
    [InlineData("best_of", "21", "integer_above_max_value")]
    [InlineData("seed", "1e30", "integer_above_max_value")]
    [InlineData("seed", "9223372036854775808", "integer_above_max_value")]
    [InlineData("seed", "-9223372036854775809", "integer_below_min_value")]
    public async Task Out_of_range_value_is_rejected(string name, string value, string code)
    {
        var error = await server.Client.ErrorAsync($$"""{"model":"llama-8b","prompt":"Hi","{{name}}":{{value}}}""");

        error.GetProperty("param").GetString().Should().Be(name);
        error.GetProperty("code").GetString().Should().Be(code);
    }

    [Theory]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","max_tokens":16.0}""")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","max_tokens":0,"echo":true}""")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","temperature":null,"top_p":null,"n":null,"stop":null}""")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","logprobs":20,"top_k":-1,"seed":-9223372036854775808}""")]
    [InlineData("""{"model":"llama-8b","prompt":["Hi","Yo"],"n":2,"best_of":3,"user":"u1"}""")]
    [InlineData("""{"model":"llama-8b","prompt":[0,1,2],"logit_bias":{"0":-100,"128001":5}}""")]
    [InlineData("""{"model":"llama-8b","prompt":[[0,1],[2]],"stop":["\n","."]}""")]
    public async Task Valid_edge_values_are_accepted(string body)
    {
        var (status, json, _) = await server.Client.CompleteAsync(body);

        status.Should().Be(200, json);
        json.ShouldConformTo(Schemas.Completion);
    }

    [Fact]
    public async Task Stream_options_without_stream_is_rejected_even_when_empty()
    {
        foreach (var body in new[]
        {
            """{"model":"llama-8b","prompt":"Hi","stream_options":{"include_usage":true}}""",
            """{"model":"llama-8b","prompt":"Hi","stream":false,"stream_options":{}}""",
        })
        {
            var error = await server.Client.ErrorAsync(body);
            error.GetProperty("param").GetString().Should().Be("stream_options");
        }
    }

    [Fact]
    public async Task Unknown_stream_option_is_rejected()
    {
        var error = await server.Client.ErrorAsync("""{"model":"llama-8b","prompt":"Hi","stream":true,"stream_options":{"include_usag":true}}""");

        error.GetProperty("param").GetString().Should().Be("stream_options.include_usag");
        error.GetProperty("message").GetString().Should().Contain("stream_options.include_usage");
    }

    [Fact]
    public async Task Prompt_logprobs_while_streaming_is_rejected()
    {
        var error = await server.Client.ErrorAsync("""{"model":"llama-8b","prompt":"Hi","stream":true,"prompt_logprobs":1}""");

        error.GetProperty("param").GetString().Should().Be("prompt_logprobs");
    }

    [Theory]
    [InlineData("""{"prompt":"Hi"}""", "model")]
    [InlineData("""{"model":"llama-8b"}""", "prompt")]
    [InlineData("""{"model":null,"prompt":"Hi"}""", "model")]
    [InlineData("""{"model":"llama-8b","prompt":null}""", "prompt")]
    public async Task Missing_required_parameter_is_named(string body, string param)
    {
        var error = await server.Client.ErrorAsync(body);

        error.GetProperty("param").GetString().Should().Be(param);
        error.GetProperty("code").GetString().Should().Be("missing_required_parameter");
    }

    [Theory]
    [InlineData("""{"model":"llama-8b","prompt":[]}""", "prompt")]
    [InlineData("""{"model":"llama-8b","prompt":[1,"a"]}""", "prompt")]
    [InlineData("""{"model":"llama-8b","prompt":[999999]}""", "prompt")]
    [InlineData("""{"model":"llama-8b","prompt":["a",["b"]]}""", "prompt")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","stop":""}""", "stop")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","stop":["a","b","c","d","e"]}""", "stop")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","stop":[1]}""", "stop")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","logit_bias":{"abc":1}}""", "logit_bias")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","logit_bias":{"5":101}}""", "logit_bias")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","suffix":"tail"}""", "suffix")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","n":2,"best_of":1}""", "best_of")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","stream":true,"n":1,"best_of":2}""", "best_of")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","temperature":0,"n":2}""", "n")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","max_tokens":200000}""", "max_tokens")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","n":1,"n":2}""", "n")]
    [InlineData("""{"model":5,"prompt":"Hi"}""", "model")]
    [InlineData("""{"model":"llama-8b","prompt":"\ud800"}""", "prompt")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","stop":["\udc00x"]}""", "stop")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","logit_bias":{"\ud800":1}}""", "logit_bias")]
    public async Task Invalid_values_are_rejected_naming_the_parameter(string body, string param)
    {
        var error = await server.Client.ErrorAsync(body);

        error.GetProperty("param").GetString().Should().Be(param);
        error.GetProperty("message").GetString().Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task Request_beyond_the_generation_budget_is_rejected_before_any_work()
    {
        // 2 prompts x 64 sequences x 100,000 tokens = 12.8M tokens would tie the server up for minutes.
        var error = await server.Client.ErrorAsync("""{"model":"llama-8b","prompt":["a","b"],"n":64,"max_tokens":100000}""");

        error.GetProperty("param").GetString().Should().Be("max_tokens");
        error.GetProperty("code").GetString().Should().Be("request_too_large");
        error.GetProperty("message").GetString().Should().Contain("12800000");
    }

    [Fact]
    public async Task Scoring_counts_toward_the_budget_weighted_by_alternatives()
    {
        await using var small = await MockLlmServer.StartAsync(new MockServerOptions { MaxGeneratedTokensPerRequest = 1000 });
        using var client = Api.ClientFor(small);
        var prompt = string.Join(" ", Enumerable.Repeat("word", 100)); // 101 tokens with beginning-of-text

        // 101 scored + 1 generated positions x (1 + 21) entries = 2244 > 1000.
        var error = await client.ErrorAsync($$"""{"model":"llama-8b","prompt":"{{prompt}}","max_tokens":1,"echo":true,"logprobs":20}""");
        var (plainEcho, _, _) = await client.CompleteAsync($$"""{"model":"llama-8b","prompt":"{{prompt}}","max_tokens":1,"echo":true}""");
        var (fewAlternatives, _, _) = await client.CompleteAsync($$"""{"model":"llama-8b","prompt":"{{prompt}}","max_tokens":1,"prompt_logprobs":1}""");

        error.GetProperty("code").GetString().Should().Be("request_too_large");
        error.GetProperty("message").GetString().Should().Contain("2244");
        plainEcho.Should().Be(200, "echo without logprobs scores nothing");
        fewAlternatives.Should().Be(200, "102 positions x 4 entries fit");
    }

    [Fact]
    public async Task Unknown_model_is_404_model_not_found()
    {
        var error = await server.Client.ErrorAsync("""{"model":"gpt-9","prompt":"Hi"}""", 404);

        error.GetProperty("param").GetString().Should().Be("model");
        error.GetProperty("code").GetString().Should().Be("model_not_found");
        error.GetProperty("message").GetString().Should().Contain("gpt-9");
    }

    [Theory]
    [InlineData("{\"model\":\"llama-8b\",")]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("{\"a\":1}}")]
    public async Task Invalid_json_is_400_invalid_json(string body)
    {
        var error = await server.Client.ErrorAsync(body);

        error.GetProperty("code").GetString().Should().Be("invalid_json");
        error.GetProperty("param").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("42")]
    [InlineData("\"text\"")]
    public async Task Body_that_is_not_an_object_is_rejected(string body)
    {
        var error = await server.Client.ErrorAsync(body);

        error.GetProperty("message").GetString().Should().Contain("JSON object");
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task Non_json_content_type_is_rejected(string contentType)
    {
        using var response = await server.Client.PostAsync("""{"model":"llama-8b","prompt":"Hi"}""", contentType);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.ShouldConformTo(Schemas.Error);
        body.Should().Contain("unsupported_media_type");
    }

    [Theory]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/json; charset=iso-8859-1")]
    public async Task Json_with_a_charset_other_than_utf8_is_rejected(string contentType)
    {
        using var response = await server.Client.PostAsync("""{"model":"llama-8b","prompt":"Hi"}""", contentType);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest);
        body.Should().Contain("unsupported_media_type").And.Contain("UTF-8");
    }

    [Theory]
    [InlineData("application/json; charset=UTF-8")]
    [InlineData("application/json; charset=\"utf8\"")]
    public async Task Json_with_a_utf8_charset_is_accepted(string contentType)
    {
        using var response = await server.Client.PostAsync("""{"model":"llama-8b","prompt":"Hi","max_tokens":1}""", contentType);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Json_content_type_with_charset_is_accepted()
    {
        using var response = await server.Client.PostAsync("""{"model":"llama-8b","prompt":"Hi","max_tokens":1}""", "application/json; charset=utf-8");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Oversized_body_is_413_by_header_and_by_chunked_stream()
    {
        var options = new MockServerOptions { MaxRequestBodyBytes = 1024 };
        await using var small = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(small);
        var big = $$"""{"model":"llama-8b","prompt":"{{new string('x', 4096)}}"}""";

        using var declared = await client.PostAsync(big);
        var declaredBody = await declared.Content.ReadAsStringAsync();
        declared.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        declaredBody.ShouldConformTo(Schemas.Error);

        // No Content-Length: the limit is enforced while reading.
        var streamed = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(big)));
        streamed.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = streamed };
        request.Headers.TransferEncodingChunked = true;
        using var chunked = await client.SendAsync(request);
        chunked.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        (await chunked.Content.ReadAsStringAsync()).ShouldConformTo(Schemas.Error);
    }

    [Fact]
    public async Task Unknown_route_and_wrong_method_get_the_envelope()
    {
        using var missing = await server.Client.GetAsync("chat/nothing");
        using var wrongMethod = await server.Client.GetAsync("completions");

        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await missing.Content.ReadAsStringAsync()).ShouldConformTo(Schemas.Error);
        wrongMethod.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        (await wrongMethod.Content.ReadAsStringAsync()).ShouldConformTo(Schemas.Error);
    }
}
