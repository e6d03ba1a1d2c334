using System.Net;
using System.Text.Json;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Functional;

public sealed class ModelsAndHealthTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    [Fact]
    public async Task Models_lists_the_default_models_with_vllm_fields()
    {
        var body = await server.Client.GetStringAsync("models");

        body.ShouldConformTo(Schemas.ModelList);
        var data = JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray().ToList();
        data.Select(m => m.GetProperty("id").GetString()).Should().BeEquivalentTo("llama-1b", "llama-8b", "llama-70b", "llama-8b-instruct", "deepseek/deepseek-v4-flash");
        data.Single(m => m.GetProperty("id").GetString() == "llama-8b").GetProperty("root").GetString().Should().Be("meta-llama/Llama-3.1-8B");
        data.Single(m => m.GetProperty("id").GetString() == "llama-8b-instruct").GetProperty("root").GetString().Should().Be("meta-llama/Llama-3.1-8B-Instruct");
        data.Where(m => m.GetProperty("id").GetString()!.StartsWith("llama", StringComparison.Ordinal)).Should().OnlyContain(m => m.GetProperty("owned_by").GetString() == "vllm");
        data.Where(m => m.TryGetProperty("metadata", out var metadata)).Should().BeEmpty("metadata is only listed when asked for");
    }

    [Fact]
    public async Task Models_listing_is_stable_across_calls()
    {
        var first = await server.Client.GetStringAsync("models");
        var second = await server.Client.GetStringAsync("models");

        second.Should().Be(first);
    }

    [Fact]
    public async Task Health_answers_200()
    {
        using var response = await server.Client.GetAsync(new Uri(server.BaseUrl, "/health"));

        response.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("llama-1b", "meta-llama/Llama-3.2-1B")]
    [InlineData("llama-70b", "meta-llama/Llama-3.1-70B")]
    public async Task Every_model_answers_completions_under_its_root_name(string alias, string root)
    {
        var (status, body, json) = await server.Client.CompleteAsync($$"""{"model":"{{alias}}","prompt":"Hello","max_tokens":4}""");

        status.Should().Be(200);
        body.ShouldConformTo(Schemas.Completion);
        json.GetProperty("model").GetString().Should().Be(root);
    }
}
