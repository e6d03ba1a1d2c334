using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Functional;

/// <summary>
/// <c>GET /v1/models?metadata=true</c>: what each model serves and supports, as the chat provider advertises it
/// (provider-docs/llmbase-chat-stream.txt, spec-facts §13); without the parameter the cards are unchanged.
/// </summary>
public sealed class ModelsMetadataTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    [Fact]
    public async Task Metadata_true_adds_endpoints_capabilities_context_length_and_dialect_to_every_card()
    {
        var body = await server.Client.GetStringAsync("models?metadata=true");

        body.ShouldConformTo(Schemas.ModelList);
        var cards = JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray()
            .ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("metadata"));
        cards.Should().HaveCount(5);

        JsonNode.DeepEquals(JsonNode.Parse(cards["deepseek/deepseek-v4-flash"].GetRawText()), JsonNode.Parse("""
            {"endpoints":["completions","chat"],"capabilities":{"tools":true,"response_format":true,"logprobs":true},
             "context_length":131072,"dialect":"llmbase","chat_template":"deepseek"}
            """)).Should().BeTrue(body);
        cards["llama-8b-instruct"].GetProperty("dialect").GetString().Should().Be("openai");
        cards["llama-8b-instruct"].GetProperty("chat_template").GetString().Should().Be("llama3");
        JsonNode.DeepEquals(JsonNode.Parse(cards["llama-8b"].GetRawText()), JsonNode.Parse("""
            {"endpoints":["completions"],"capabilities":{"tools":false,"response_format":false,"logprobs":true},
             "context_length":131072,"dialect":"acs","chat_template":null}
            """)).Should().BeTrue(body);
    }

    [Theory]
    [InlineData("models")]
    [InlineData("models?metadata=false")]
    [InlineData("models?metadata=False")]
    public async Task Without_metadata_true_the_listing_is_the_plain_one(string path)
    {
        var plain = await server.Client.GetStringAsync("models");
        var asked = await server.Client.GetStringAsync(path);

        asked.Should().Be(plain);
        plain.Should().NotContain("\"metadata\"");
    }

    [Fact]
    public async Task Metadata_cards_differ_from_the_plain_ones_only_by_metadata()
    {
        var plain = JsonNode.Parse(await server.Client.GetStringAsync("models"))!["data"]!.AsArray();
        var rich = JsonNode.Parse(await server.Client.GetStringAsync("models?metadata=true"))!["data"]!.AsArray();

        for (var i = 0; i < plain.Count; i++)
        {
            var card = rich[i]!.AsObject();
            card.Remove("metadata").Should().BeTrue();
            JsonNode.DeepEquals(card, plain[i]).Should().BeTrue();
        }
    }

    [Fact]
    public async Task Retrieve_with_metadata_answers_the_same_card_as_the_listing()
    {
        var list = JsonNode.Parse(await server.Client.GetStringAsync("models?metadata=true"))!["data"]!.AsArray();
        using var response = await server.Client.GetAsync("models/deepseek%2Fdeepseek-v4-flash?metadata=true");
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        body.ShouldConformTo(Schemas.Model);
        JsonNode.DeepEquals(JsonNode.Parse(body), list.Single(m => (string?)m!["id"] == "deepseek/deepseek-v4-flash")).Should().BeTrue(body);
    }

    [Theory]
    [InlineData("models?metadata=yes")]
    [InlineData("models?metadata=")]
    [InlineData("models?metadata=true&metadata=false")]
    [InlineData("models/llama-8b?metadata=1")]
    public async Task A_metadata_value_other_than_true_or_false_is_a_400_naming_the_parameter(string path)
    {
        using var response = await server.Client.GetAsync(path);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body);
        body.ShouldConformTo(Schemas.Error);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("param").GetString().Should().Be("metadata");
    }

    [Fact]
    public async Task A_model_advertised_without_completions_is_refused_there_and_served_on_chat()
    {
        var options = new MockServer.Hosting.MockServerOptions();
        options.Fixtures.Add(new MockServer.Fixtures.FixtureDocument("chat-only.json", """
            {"models":[{"id":"chat-only","root":"org/Chat-Only","chat_template":"chatml","capabilities":{"completions":false}}]}
            """));
        await using var mock = await MockServer.Hosting.MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        var error = await client.ErrorAsync("""{"model":"chat-only","prompt":"Hi","max_tokens":1}""");
        using var chat = new StringContent("""{"model":"chat-only","messages":[{"role":"user","content":"Hi"}],"max_tokens":1}""", System.Text.Encoding.UTF8, "application/json");
        using var answer = await client.PostAsync("chat/completions", chat);

        error.GetProperty("param").GetString().Should().Be("model");
        error.GetProperty("code").GetString().Should().Be("model_not_supported");
        answer.StatusCode.Should().Be(HttpStatusCode.OK, await answer.Content.ReadAsStringAsync());
        var card = JsonNode.Parse(await client.GetStringAsync("models/chat-only?metadata=true"))!;
        card["metadata"]!["endpoints"]!.AsArray().Select(e => (string?)e).Should().Equal("chat");
    }
}
