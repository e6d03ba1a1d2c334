using System.Net;
using System.Net.Http.Headers;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Validation;

/// <summary>Bearer keys, when configured, in the OpenAI envelope and never echoed back.</summary>
public sealed class AuthenticationTests : IAsyncLifetime
{
    private const string Key = "acs-bm-secret-key-123";
    private MockLlmServer _server = null!;
    private HttpClient _client = null!;

    public async Task InitializeAsync()
    {
        var options = new MockServerOptions();
        options.ApiKeys.Add(Key);
        _server = await MockLlmServer.StartAsync(options);
        _client = Api.ClientFor(_server);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData("Bearer wrong-key", "invalid_api_key")]
    [InlineData("Basic " + Key, "missing_api_key")]
    [InlineData("Bearer " + Key + "x", "invalid_api_key")]
    public async Task Missing_or_wrong_key_is_401_without_the_key_in_the_body(string? authorization, string code)
    {
        _client.DefaultRequestHeaders.Authorization = authorization is null ? null : AuthenticationHeaderValue.Parse(authorization);

        using var response = await _client.PostAsync("""{"model":"llama-8b","prompt":"Hi"}""");
        var body = await response.Content.ReadAsStringAsync();

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        body.ShouldConformTo(Schemas.Error);
        body.Should().Contain(code).And.NotContain("secret").And.NotContain("wrong-key");
    }

    [Theory]
    [InlineData("Bearer")]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task Right_key_is_accepted_with_any_scheme_case(string scheme)
    {
        _client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", $"{scheme} {Key}");

        using var completion = await _client.PostAsync("""{"model":"llama-8b","prompt":"Hi","max_tokens":1}""");
        using var models = await _client.GetAsync("models");

        completion.StatusCode.Should().Be(HttpStatusCode.OK);
        models.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/V1/completions")]
    [InlineData("/v1/COMPLETIONS")]
    [InlineData("/V1/models")]
    public async Task Key_is_required_whatever_the_letter_case_of_the_path(string path)
    {
        // Routing matches paths case-insensitively, so the key check must too.
        using var request = new HttpRequestMessage(path.EndsWith("models", StringComparison.Ordinal) ? HttpMethod.Get : HttpMethod.Post, new Uri(_server.BaseUrl, path))
        {
            Content = new StringContent("""{"model":"llama-8b","prompt":"Hi","max_tokens":1}""", System.Text.Encoding.UTF8, "application/json"),
        };

        using var response = await _client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Health_needs_no_key()
    {
        using var health = await _client.GetAsync(new Uri(_server.BaseUrl, "/health"));

        health.StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Models_needs_the_key()
    {
        using var models = await _client.GetAsync("models");

        models.StatusCode.Should().Be(HttpStatusCode.Unauthorized);
    }
}
