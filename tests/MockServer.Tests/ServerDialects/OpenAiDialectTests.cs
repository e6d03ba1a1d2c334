namespace MockServer.Tests.ServerDialects;

/// <summary>The openai dialect's completions: the strict provider's rules, except OpenAI's logprobs ceiling of 5 (spec-facts §1.2, §10 item 3).</summary>
public sealed class OpenAiDialectTests
{
    [Theory]
    [InlineData("openai", 5, 6)]
    [InlineData("acs", 20, 21)]
    [InlineData("vllm", 20, 21)]
    public async Task Completions_logprobs_are_refused_above_the_dialects_ceiling(string dialect, int highest, int refused)
    {
        await using var mock = await DialectServer.StartAsync(dialect);

        await mock.OkAsync("completions", $$"""{"model":"llama-8b","prompt":"Hi","max_tokens":1,"logprobs":{{highest}}}""");
        var error = await mock.ErrorAsync("completions", $$"""{"model":"llama-8b","prompt":"Hi","max_tokens":1,"logprobs":{{refused}}}""", 400);
        error.GetProperty("message").GetString().Should().Contain("logprobs");
    }
}
