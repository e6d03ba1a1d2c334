using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;
using OpenAI;
using OpenAI.Models;

namespace MockServer.Tests.Functional;

/// <summary><c>GET /v1/models/{model}</c> (OpenAI's retrieve route) and the unknown-model message that names what exists.</summary>
public sealed class ModelRetrieveTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    [Theory]
    [InlineData("llama-1b")]
    [InlineData("llama-8b")]
    [InlineData("llama-70b")]
    public async Task Retrieve_answers_the_same_card_as_the_list(string id)
    {
        var list = JsonNode.Parse(await server.Client.GetStringAsync("models"))!["data"]!.AsArray();
        using var response = await server.Client.GetAsync($"models/{id}");
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        body.ShouldConformTo(Schemas.Model);
        JsonNode.DeepEquals(JsonNode.Parse(body), list.Single(m => (string?)m!["id"] == id)).Should().BeTrue(body);
    }

    [Fact]
    public void The_model_schema_is_the_list_entry_definition_not_an_empty_reference()
    {
        // If the $ref to model-list.schema.json did not resolve, every object would pass and the test above would prove nothing.
        Schemas.Get(Schemas.Model).Validate("""{"id":"x","object":"model","created":1,"owned_by":"vllm"}""").Should().NotBeEmpty();
        Schemas.Get(Schemas.Model).Validate("""{"object":"list","data":[]}""").Should().NotBeEmpty();
    }

    [Fact]
    public async Task Unknown_id_is_404_model_not_found_listing_the_served_ids()
    {
        using var response = await server.Client.GetAsync("models/gpt-9");
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        body.ShouldConformTo(Schemas.Error);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("model_not_found");
        error.GetProperty("param").GetString().Should().Be("model");
        error.GetProperty("message").GetString().Should().Be("The model 'gpt-9' does not exist. Served models: deepseek/deepseek-v4-flash, llama-1b, llama-70b, llama-8b, llama-8b-instruct.");
    }

    [Fact]
    public async Task Completions_for_an_unknown_model_lists_the_served_ids()
    {
        var error = await server.Client.ErrorAsync("""{"model":"llama-7b","prompt":"Hi"}""", 404);

        error.GetProperty("code").GetString().Should().Be("model_not_found");
        error.GetProperty("message").GetString().Should().Be("The model 'llama-7b' does not exist. Served models: deepseek/deepseek-v4-flash, llama-1b, llama-70b, llama-8b, llama-8b-instruct.");
    }

    [Fact]
    public async Task The_served_list_in_the_message_is_bounded()
    {
        var options = new MockServerOptions { IncludeDefaultFixtures = false };
        var models = string.Join(",", Enumerable.Range(0, 25).Select(i => $$"""{"id":"m{{i:00}}","root":"org/M{{i}}"}"""));
        options.Fixtures.Add(new FixtureDocument("many.json", $$"""{"models":[{{models}}]}"""));
        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        var fromRetrieve = JsonDocument.Parse(await (await client.GetAsync("models/nope")).Content.ReadAsStringAsync()).RootElement;
        var fromCompletions = await client.ErrorAsync("""{"model":"nope","prompt":"Hi"}""", 404);

        var expected = "The model 'nope' does not exist. Served models: " + string.Join(", ", Enumerable.Range(0, 20).Select(i => $"m{i:00}")) + " and 5 more.";
        fromRetrieve.GetProperty("error").GetProperty("message").GetString().Should().Be(expected);
        fromCompletions.GetProperty("message").GetString().Should().Be(expected);
    }

    [Fact]
    public async Task An_id_with_a_slash_is_retrieved_whether_the_slash_is_raw_or_escaped()
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(new FixtureDocument("org.json", """{"models":[{"id":"org/tiny","root":"org/Tiny-1"}]}"""));
        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        foreach (var path in new[] { "models/org/tiny", "models/org%2Ftiny" })
        {
            using var response = await client.GetAsync(path);
            var body = await response.Content.ReadAsStringAsync();
            response.StatusCode.Should().Be(HttpStatusCode.OK, path);
            JsonDocument.Parse(body).RootElement.GetProperty("id").GetString().Should().Be("org/tiny", path);
        }
    }

    [Fact]
    public async Task Retrieve_requires_the_key_like_every_v1_route()
    {
        var options = new MockServerOptions();
        options.ApiKeys.Add("sk-retrieve-1");
        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        using var anonymous = await client.GetAsync("models/llama-8b");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "sk-retrieve-1");
        using var authorized = await client.GetAsync("models/llama-8b");

        anonymous.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        authorized.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_official_openai_sdk_retrieves_a_model_and_gets_404_for_an_unknown_one()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = server.BaseUrl });

        OpenAIModel model = await client.GetModelAsync("llama-8b");
        var unknown = () => client.GetModelAsync("gpt-9");

        model.Id.Should().Be("llama-8b");
        model.OwnedBy.Should().Be("vllm");
        (await unknown.Should().ThrowAsync<ClientResultException>()).Which.Status.Should().Be(404);
    }
}
