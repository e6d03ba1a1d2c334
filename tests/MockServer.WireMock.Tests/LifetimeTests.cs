using System.Net;
using WireMock.Logging;
using WireMock.Settings;

namespace MockServer.WireMock.Tests;

/// <summary>The mock's life beside the WireMock server's: its base URL once the server listens, and what its routes do after it is gone.</summary>
public sealed class LifetimeTests
{
    [Fact]
    public async Task The_base_url_is_known_only_once_a_server_started_with_the_settings()
    {
        var settings = new WireMockServerSettings { Urls = ["http://127.0.0.1:0"], Logger = new WireMockNullLogger() };
        await using var mock = await OpenAiMock.AttachAsync(settings);

        var read = () => mock.BaseUrl;

        read.Should().Throw<InvalidOperationException>().WithMessage("*Start a WireMockServer*");
    }

    [Fact]
    public async Task After_the_mock_is_disposed_its_routes_are_WireMocks_again()
    {
        await using var env = await WireMockWithMock.StartAsync();
        using var client = env.Client();
        await env.Mock.DisposeAsync();

        using var response = await client.GetAsync("models");

        // Not a 500 from a stopped application: WireMock answers, as for any path it has no mapping for.
        response.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await response.Content.ReadAsStringAsync()).Should().Contain("No matching mapping found");
    }
}
