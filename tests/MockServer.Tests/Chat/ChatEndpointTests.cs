using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Chat;

/// <summary>
/// <c>POST /v1/chat/completions</c> over HTTP: the same pipeline as completions (content type, body limit, JSON,
/// authentication, the OpenAI error envelope) in front of the chat parser. The default fixtures serve base models
/// only, so a valid conversation ends at vLLM's no-chat-template 400.
/// </summary>
public sealed class ChatEndpointTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private const string Conversation = """{"model":"llama-8b","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Count to 5."}]}""";

    [Fact]
    public async Task A_base_model_refuses_chat_with_the_no_chat_template_400()
    {
        var error = await ErrorAsync(server.Client, Conversation, 400);

        error.GetProperty("message").GetString().Should().Contain("chat template");
        error.GetProperty("type").GetString().Should().Be("invalid_request_error");
        error.GetProperty("param").ValueKind.Should().Be(JsonValueKind.Null);
        error.GetProperty("code").GetString().Should().Be("chat_template_missing");
    }

    [Fact]
    public async Task An_unknown_model_is_404_as_for_completions()
    {
        var error = await ErrorAsync(server.Client, """{"model":"gpt-nope","messages":[{"role":"user","content":"Hi"}]}""", 404);

        error.GetProperty("code").GetString().Should().Be("model_not_found");
        error.GetProperty("param").GetString().Should().Be("model");
    }

    [Theory]
    [InlineData("""{"model":"llama-8b","messages":[{"role":"user","content":"Hi"}],"max_token":5}""", "unknown_parameter", "max_token")]
    [InlineData("""{"model":"llama-8b","messages":[{"role":"user","content":"Hi"}],"max_completion_tokens":true}""", "invalid_type", "max_completion_tokens")]
    [InlineData("""{"model":"llama-8b","messages":[{"role":"user","content":"Hi"}],"logprobs":1}""", "invalid_type", "logprobs")]
    [InlineData("""{"model":"llama-8b","messages":[{"role":"user","content":"Hi"}],"top_logprobs":3}""", "invalid_value", "top_logprobs")]
    [InlineData("""{"model":"llama-8b","messages":[]}""", "invalid_value", "messages")]
    [InlineData("""{"model":"llama-8b","messages":[{"role":"user","content":"Hi"},{"role":"bot","content":"Hi"}]}""", "invalid_value", "messages[1].role")]
    [InlineData("""{"model":"llama-8b","messages":[{"role":"user","content":"Hi"}],"stream_options":{"include_usage":true}}""", "invalid_value", "stream_options")]
    public async Task Body_errors_are_400s_naming_the_parameter_before_the_model_is_consulted(string body, string code, string param)
    {
        var error = await ErrorAsync(server.Client, body, 400);

        error.GetProperty("code").GetString().Should().Be(code);
        error.GetProperty("param").GetString().Should().Be(param);
    }

    [Fact]
    public async Task A_misspelled_parameter_gets_a_suggestion()
    {
        var error = await ErrorAsync(server.Client, """{"model":"llama-8b","messages":[{"role":"user","content":"Hi"}],"max_token":5}""", 400);

        error.GetProperty("message").GetString().Should().Contain("Did you mean 'max_tokens'?");
    }

    [Theory]
    [InlineData("text/plain", "unsupported_media_type")]
    [InlineData("application/x-www-form-urlencoded", "unsupported_media_type")]
    public async Task Only_json_is_accepted(string contentType, string code)
    {
        using var response = await PostAsync(server.Client, Conversation, contentType);
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.BadRequest, body);
        body.ShouldConformTo(Schemas.Error);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString().Should().Be(code);
    }

    [Theory]
    [InlineData("""{"model":"llama-8b","messages":[""")]
    [InlineData("[1,2]")]
    public async Task Malformed_json_and_non_objects_are_400(string body)
    {
        var error = await ErrorAsync(server.Client, body, 400);

        error.GetProperty("code").GetString().Should().BeOneOf("invalid_json", "invalid_type");
    }

    [Fact]
    public async Task An_oversized_body_is_413()
    {
        await using var small = await MockLlmServer.StartAsync(new MockServerOptions { MaxRequestBodyBytes = 1024 });
        using var client = Api.ClientFor(small);

        var error = await ErrorAsync(client, $$"""{"model":"llama-8b","messages":[{"role":"user","content":"{{new string('x', 4096)}}"}]}""", 413);

        error.GetProperty("code").GetString().Should().Be("request_too_large");
    }

    [Fact]
    public async Task With_keys_configured_the_chat_route_needs_one_and_never_echoes_it()
    {
        const string key = "chat-secret-key-456";
        var options = new MockServerOptions();
        options.ApiKeys.Add(key);
        await using var guarded = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(guarded);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key + "x");
        var refused = await ErrorAsync(client, Conversation, 401);
        refused.GetProperty("code").GetString().Should().Be("invalid_api_key");
        refused.GetRawText().Should().NotContain(key);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        var admitted = await ErrorAsync(client, Conversation, 400);
        admitted.GetProperty("code").GetString().Should().Be("chat_template_missing");
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, string json, string contentType = "application/json")
    {
        var content = new StringContent(json, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return client.PostAsync("chat/completions", content);
    }

    private static async Task<JsonElement> ErrorAsync(HttpClient client, string json, int status)
    {
        using var response = await PostAsync(client, json);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(status, body);
        body.ShouldConformTo(Schemas.Error);
        return JsonDocument.Parse(body).RootElement.GetProperty("error").Clone();
    }
}
