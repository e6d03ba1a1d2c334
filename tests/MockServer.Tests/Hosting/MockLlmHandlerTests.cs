using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using MockServer.Hosting;

namespace MockServer.Tests.Hosting;

/// <summary>
/// Which paths a host hands to the mock (<see cref="MockLlmHandler.Owns"/>, the WireMock.Net adapter's seam): every
/// route the mock maps, except <c>/health</c>, and nothing else, so the host's own routes beside them keep answering.
/// </summary>
public sealed class MockLlmHandlerTests
{
    [Fact]
    public async Task Every_route_the_mock_maps_is_owned_but_health()
    {
        await using var handler = await MockLlmHandler.CreateAsync(new MockServerOptions { EnableAdmin = true, AdminKey = "admin-key" });
        var routes = handler.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText!).Distinct().ToList();

        routes.Should().Contain(["/v1/completions", "/v1/chat/completions", "/v1/models", "/admin/journal"]);
        foreach (var route in routes.Where(r => r != "/health"))
        {
            // A sample path for the pattern: each parameter (a catch-all too) filled with a segment of its own.
            var path = string.Join('/', route.Split('/').Select(s => s.StartsWith('{') ? "org-model" : s));
            handler.Owns(Request(path)).Should().BeTrue($"the mock maps {route}");
        }
    }

    [Theory]
    [InlineData("/v1/embeddings")]
    [InlineData("/v1/files/abc")]
    [InlineData("/v1")]
    [InlineData("/v1/completionsX")]
    [InlineData("/v1/chat")]
    [InlineData("/health")]
    [InlineData("/admin/journal")] // admin routes are off here
    [InlineData("/api/v1/models")]
    public async Task Other_paths_are_the_hosts(string path)
    {
        await using var handler = await MockLlmHandler.CreateAsync();

        handler.Owns(Request(path)).Should().BeFalse();
    }

    [Theory]
    [InlineData("/V1/Chat/Completions")] // routing ignores case, and so does ownership
    [InlineData("/v1/completions/")]
    [InlineData("/v1/models/org/model")]
    public async Task The_mocks_routes_are_owned_as_routing_matches_them(string path)
    {
        await using var handler = await MockLlmHandler.CreateAsync();

        handler.Owns(Request(path)).Should().BeTrue();
    }

    private static HttpRequest Request(string path) => new DefaultHttpContext { Request = { Path = path } }.Request;
}
