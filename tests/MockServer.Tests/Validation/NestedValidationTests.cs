using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Validation;

/// <summary>Inside objects and arrays, the same rules as at the top level: nothing silently overwritten, every error named.</summary>
public sealed class NestedValidationTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    [Theory]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","logit_bias":{"50":1,"50":-100}}""", "logit_bias")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","logit_bias":{"50":1,"050":-100}}""", "logit_bias")]
    [InlineData("""{"model":"llama-8b","prompt":"Hi","stream":true,"stream_options":{"include_usage":true,"include_usage":false}}""", "stream_options.include_usage")]
    public async Task Duplicate_keys_inside_an_object_are_refused_like_top_level_ones(string body, string param)
    {
        var error = await server.Client.ErrorAsync(body);

        error.GetProperty("param").GetString().Should().Be(param);
        error.GetProperty("code").GetString().Should().Be("duplicate_parameter");
        error.GetProperty("message").GetString().Should().Contain("more than once");
    }

    [Fact]
    public async Task The_same_keys_once_each_are_accepted()
    {
        var (status, body, _) = await server.Client.CompleteAsync("""{"model":"llama-8b","prompt":"Hi","max_tokens":1,"logit_bias":{"50":1,"51":-100}}""");

        status.Should().Be(200, body);
    }

    [Theory]
    [InlineData(129, 1, null, "prompt")]
    [InlineData(2, 65, null, "n")]
    [InlineData(10, 1, 20, "best_of")]
    public async Task Too_many_sequences_are_reported_against_what_asked_for_them(int prompts, int n, int? bestOf, string param)
    {
        var list = string.Join(",", Enumerable.Repeat("\"Hi\"", prompts));
        var best = bestOf is null ? "" : $",\"best_of\":{bestOf}";
        var error = await server.Client.ErrorAsync($$"""{"model":"llama-8b","prompt":[{{list}}],"n":{{n}}{{best}},"max_tokens":1}""");

        error.GetProperty("param").GetString().Should().Be(param);
        error.GetProperty("code").GetString().Should().Be("invalid_value");
    }

    [Fact]
    public async Task As_many_prompts_as_the_limit_are_accepted()
    {
        var list = string.Join(",", Enumerable.Repeat("\"Hi\"", 128));

        var (status, body, json) = await server.Client.CompleteAsync($$"""{"model":"llama-8b","prompt":[{{list}}],"max_tokens":1}""");

        status.Should().Be(200, body);
        json.GetProperty("choices").GetArrayLength().Should().Be(128);
    }
}
