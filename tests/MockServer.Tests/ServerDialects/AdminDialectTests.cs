using System.Text.Json;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.ServerDialects;

/// <summary>The admin routes are the mock's own control surface: a real-server dialect never reshapes their errors.</summary>
public sealed class AdminDialectTests
{
    [Fact]
    public async Task Admin_errors_keep_the_mocks_envelope_under_a_real_server_profile()
    {
        await using var mock = await MockLlmServer.StartAsync(new MockServerOptions { Profile = "llamacpp", EnableAdmin = true, AdminKey = "admin-key", ApiKeys = { "client-key" } });
        using var client = new HttpClient { BaseAddress = new Uri(mock.BaseUrl, "/") };

        using var admin = await client.GetAsync("admin/journal");
        using var v1 = await client.GetAsync("v1/models");

        var adminBody = await admin.Content.ReadAsStringAsync();
        var adminError = JsonDocument.Parse(adminBody).RootElement.GetProperty("error");
        adminError.GetProperty("code").GetString().Should().Be("missing_api_key");
        adminError.TryGetProperty("param", out var _).Should().BeTrue();
        var v1Error = JsonDocument.Parse(await v1.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        v1Error.GetProperty("code").GetInt32().Should().Be(401, "/v1 speaks the profile's dialect (llama.cpp: the status as the code)");
        v1Error.GetProperty("type").GetString().Should().Be("authentication_error");
    }
}
