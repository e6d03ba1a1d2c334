using static MockServer.Tests.Chat.ChatParsing;

namespace MockServer.Tests.Chat;

/// <summary>The top-level chat parameters: the same strict rules as completions, plus chat's boolean <c>logprobs</c>.</summary>
public sealed class ChatParameterValidationTests
{
    // Issue 7: the numeric chat parameters a JSON boolean must never pass as.
    private static readonly string[] Numeric =
    [
        "max_tokens", "max_completion_tokens", "n", "seed", "temperature", "top_p", "top_k", "min_p",
        "presence_penalty", "frequency_penalty", "repetition_penalty", "top_logprobs",
    ];

    private readonly ChatParsing _chat = new();

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
    public void Boolean_in_a_numeric_parameter_is_refused_naming_it(string name, string value)
    {
        // logprobs:true so top_logprobs is otherwise allowed: the boolean alone is the fault.
        var error = _chat.BadRequest(Body($",\"logprobs\":true,\"{name}\":{value}"), "invalid_type", name);

        error.Message.Should().Contain("boolean");
    }

    [Theory]
    [InlineData("1")]
    [InlineData("0")]
    [InlineData("\"true\"")]
    public void Logprobs_must_be_a_boolean_in_chat(string value)
    {
        _chat.BadRequest(Body($",\"logprobs\":{value}"), "invalid_type", "logprobs");
    }

    [Theory]
    [InlineData(",\"top_logprobs\":2")]
    [InlineData(",\"logprobs\":false,\"top_logprobs\":2")]
    [InlineData(",\"logprobs\":null,\"top_logprobs\":0")]
    public void Top_logprobs_needs_logprobs_true(string extra)
    {
        _chat.BadRequest(Body(extra), "invalid_value", "top_logprobs");
    }

    [Theory]
    [InlineData(21, "integer_above_max_value")]
    [InlineData(-1, "integer_below_min_value")]
    public void Top_logprobs_is_0_to_20(int value, string code)
    {
        _chat.BadRequest(Body($",\"logprobs\":true,\"top_logprobs\":{value}"), code, "top_logprobs");
    }

    [Fact]
    public void Logprobs_with_top_logprobs_in_range_are_kept()
    {
        var request = _chat.Parse(Body(",\"logprobs\":true,\"top_logprobs\":20"));

        request.Logprobs.Should().BeTrue();
        request.TopLogprobs.Should().Be(20);
    }

    [Theory]
    [InlineData("max_complete_tokens", "max_completion_tokens")]
    [InlineData("maxTokens", "max_tokens")]
    [InlineData("toolChoice", "tool_choice")]
    [InlineData("prompt", null)]
    public void Unknown_parameter_is_refused_with_a_suggestion(string name, string? suggestion)
    {
        var error = _chat.BadRequest(Body($",\"{name}\":1"), "unknown_parameter", name);

        if (suggestion is null)
        {
            error.Message.Should().NotContain("Did you mean");
        }
        else
        {
            error.Message.Should().Contain($"Did you mean '{suggestion}'?");
        }
    }

    [Fact]
    public void Repeated_parameter_is_refused()
    {
        _chat.BadRequest(Body(",\"n\":1,\"n\":2"), "duplicate_parameter", "n");
    }

    [Theory]
    [InlineData(",\"prompt_cache_key\":\"k-1\"")]
    [InlineData(",\"user\":\"u-1\"")]
    [InlineData(",\"parallel_tool_calls\":false")]
    [InlineData(",\"stop\":[\"a\",\"b\"]")]
    [InlineData(",\"logit_bias\":{\"50\":-100}")]
    [InlineData(",\"seed\":7,\"temperature\":0.5,\"top_p\":0.9,\"top_k\":40,\"min_p\":0.1,\"presence_penalty\":1,\"frequency_penalty\":-1,\"repetition_penalty\":1.1")]
    public void Documented_parameters_are_accepted(string extra)
    {
        var act = () => _chat.Parse(Body(extra));

        act.Should().NotThrow();
    }

    [Fact]
    public void Sampling_controls_reach_the_request()
    {
        var request = _chat.Parse(Body(",\"seed\":7,\"temperature\":0.5,\"top_k\":40,\"stop\":\"x\",\"n\":3,\"parallel_tool_calls\":false"));

        request.Seed.Should().Be(7);
        request.Sampling.Temperature.Should().Be(0.5);
        request.Sampling.TopK.Should().Be(40);
        request.Stop.Should().Equal("x");
        request.N.Should().Be(3);
        request.ParallelToolCalls.Should().BeFalse();
    }

    [Fact]
    public void Prompt_cache_key_must_be_a_string()
    {
        _chat.BadRequest(Body(",\"prompt_cache_key\":5"), "invalid_type", "prompt_cache_key");
    }

    [Fact]
    public void Several_choices_under_greedy_sampling_are_refused_as_in_completions()
    {
        _chat.BadRequest(Body(",\"n\":2,\"temperature\":0"), "invalid_value", "n");
    }

    [Fact]
    public void Missing_model_is_refused()
    {
        _chat.BadRequest($$"""{"messages":{{Hello}}}""", "missing_required_parameter", "model");
    }

    [Fact]
    public void Stream_options_without_stream_is_refused()
    {
        _chat.BadRequest(Body(",\"stream_options\":{\"include_usage\":true}"), "invalid_value", "stream_options");
    }

    [Theory]
    [InlineData("{\"include_usage\":1}", "invalid_type", "stream_options.include_usage")]
    [InlineData("{\"include_usages\":true}", "unknown_parameter", "stream_options.include_usages")]
    [InlineData("[]", "invalid_type", "stream_options")]
    public void Stream_options_are_checked_as_in_completions(string options, string code, string param)
    {
        _chat.BadRequest(Body($",\"stream\":true,\"stream_options\":{options}"), code, param);
    }

    [Theory]
    [InlineData("", null)]
    [InlineData(",\"stream_options\":{}", null)]
    [InlineData(",\"stream_options\":{\"include_usage\":true}", true)]
    [InlineData(",\"stream_options\":{\"include_usage\":false}", false)]
    public void Include_usage_stays_null_when_absent_so_the_dialect_decides(string options, bool? expected)
    {
        var request = _chat.Parse(Body($",\"stream\":true{options}"));

        request.Stream.Should().BeTrue();
        request.IncludeUsage.Should().Be(expected);
    }
}
