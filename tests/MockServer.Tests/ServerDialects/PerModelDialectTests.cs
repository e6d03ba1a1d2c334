using MockServer.Fixtures;

namespace MockServer.Tests.ServerDialects;

/// <summary>
/// A dialect chosen per model in a fixture (<c>"dialect"</c>, schemas/fixture.schema.json) rules the requests that name
/// that model; what is judged before a model is named follows the server's dialect (<c>acs</c> without --profile).
/// </summary>
public sealed class PerModelDialectTests
{
    private static readonly FixtureDocument Models = new("dialects.json", """
        {"models":[
          {"id":"vllm-model","root":"meta-llama/Llama-3.1-8B","dialect":"vllm"},
          {"id":"llama-server","root":"tiny.gguf","dialect":"llamacpp"}
        ]}
        """);

    [Fact]
    public async Task Each_model_answers_in_its_own_dialect()
    {
        await using var mock = await DialectServer.StartAsync(null, Models);

        // acs (the default model): unknown parameters refused; vllm: ignored; llamacpp: text/plain served.
        (await mock.PostAsync("completions", """{"model":"llama-8b","prompt":"Hi","max_tokenz":1}""")).Status.Should().Be(400);
        (await mock.PostAsync("completions", """{"model":"vllm-model","prompt":"Hi","max_tokens":1,"max_tokenz":1}""")).Status.Should().Be(200);
        (await mock.PostAsync("completions", """{"model":"llama-server","prompt":"Hi","max_tokens":1}""", "text/plain")).Status.Should().Be(200);
        (await mock.PostAsync("completions", """{"model":"llama-8b","prompt":"Hi","max_tokens":1}""", "text/plain")).Status.Should().Be(400);

        var llama = await mock.OkAsync("completions", """{"model":"llama-server","prompt":"Hi","max_tokens":1}""");
        llama.GetProperty("id").GetString().Should().StartWith("chatcmpl-");
    }

    [Fact]
    public async Task Before_a_model_is_named_the_servers_dialect_decides()
    {
        await using var mock = await DialectServer.StartAsync(null, Models);

        // Invalid JSON names no model: the server's dialect (acs) answers 400, not llama.cpp's 500.
        var error = await mock.ErrorAsync("completions", "{\"model\": \"llama-server\", ", 400);
        error.GetProperty("code").GetString().Should().Be("invalid_json");

        // An unknown model is 404 in the server's dialect, whichever dialects the fixtures declare.
        await mock.ErrorAsync("completions", """{"model":"nope","prompt":"Hi"}""", 404);
    }
}
