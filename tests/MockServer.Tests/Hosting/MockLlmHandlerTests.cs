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
        await using var handler = await MockLlmHandler.CreateAsync(new MockServerOptions { EnableAdmin = true, AdminKey = "admin-key", EnableWorkbench = true });
        var routes = handler.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Select(e => e.RoutePattern.RawText!).Distinct().ToList();

        routes.Should().Contain(["/v1/completions", "/v1/chat/completions", "/v1/models", "/admin/journal", "/workbench/{**file}"]);
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
    [InlineData("/workbench/")] // and so is the workbench
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

    [Fact]
    public async Task Once_disposed_a_request_is_left_to_the_host_untouched()
    {
        // A host checks Owns, then hands the request over: disposal can land between the two. The request must then
        // stay the host's to answer, not fail with an ObjectDisposedException the host would turn into a 500.
        var handler = await MockLlmHandler.CreateAsync();
        var context = new DefaultHttpContext { Request = { Path = "/v1/models", Method = "GET" } };
        handler.Owns(context.Request).Should().BeTrue();
        await handler.DisposeAsync();

        (await handler.TryHandleAsync(context)).Should().BeFalse();

        context.Response.StatusCode.Should().Be(200, "nothing was written: the host answers");
        context.Response.Headers.Should().BeEmpty();
        var handle = () => handler.HandleAsync(context);
        await handle.Should().ThrowAsync<ObjectDisposedException>();
    }

    private static HttpRequest Request(string path) => new DefaultHttpContext { Request = { Path = path } }.Request;
}
