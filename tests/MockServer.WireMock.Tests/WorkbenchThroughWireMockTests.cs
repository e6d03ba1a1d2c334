using System.Net;
using MockServer.Hosting;

namespace MockServer.WireMock.Tests;

/// <summary>
/// The workbench through WireMock.Net (issue 11): with <see cref="MockServerOptions.EnableWorkbench"/> the mock answers
/// <c>/workbench/</c> on the WireMock server's port, with the page's security headers; without it the path is WireMock's.
/// </summary>
public sealed class WorkbenchThroughWireMockTests
{
    [Fact]
    public async Task With_the_workbench_on_the_mock_serves_the_page_on_wiremocks_port()
    {
        await using var team = await WireMockWithMock.StartAsync(new MockServerOptions { EnableWorkbench = true });
        using var client = Root(team);

        using var page = await client.GetAsync("workbench/");

        page.StatusCode.Should().Be(HttpStatusCode.OK);
        page.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        page.Headers.GetValues("Content-Security-Policy").Single().Should().StartWith("default-src 'none'");
    }

    [Fact]
    public async Task With_the_workbench_off_the_path_is_wiremocks()
    {
        await using var team = await WireMockWithMock.StartAsync();
        using var client = Root(team);

        using var page = await client.GetAsync("workbench/");

        page.StatusCode.Should().Be(HttpStatusCode.NotFound);
        page.Headers.Contains("Content-Security-Policy").Should().BeFalse();
        (await page.Content.ReadAsStringAsync()).Should().NotContain("unknown_url", "WireMock's own 404, not the mock's");
    }

    private static HttpClient Root(WireMockWithMock team) => new() { BaseAddress = new Uri(team.Mock.BaseUrl, "/") };
}
