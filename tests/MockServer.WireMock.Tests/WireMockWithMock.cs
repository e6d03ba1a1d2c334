using MockServer.Hosting;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace MockServer.WireMock.Tests;

/// <summary>
/// What a team has: a WireMock.Net server on 127.0.0.1 and a free port with one mapping of its own, on a <c>/v1</c> path
/// the mock does not serve, plus the OpenAI mock attached to it.
/// </summary>
internal sealed class WireMockWithMock : IAsyncDisposable
{
    public const string UserPath = "/v1/embeddings";
    public const string UserBody = """{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.25,0.5]}],"model":"team-embedder"}""";

    private WireMockWithMock(OpenAiMock mock, WireMockServer server)
    {
        Mock = mock;
        Server = server;
    }

    public OpenAiMock Mock { get; }

    public WireMockServer Server { get; }

    /// <param name="options">The mock's options.</param>
    /// <param name="configure">Changes the team made to WireMock's settings before attaching the mock (CORS, its own hooks).</param>
    public static async Task<WireMockWithMock> StartAsync(MockServerOptions? options = null, Action<WireMockServerSettings>? configure = null)
    {
        var settings = new WireMockServerSettings { Urls = ["http://127.0.0.1:0"], Logger = new WireMockNullLogger() };
        configure?.Invoke(settings);
        var mock = await OpenAiMock.AttachAsync(settings, options);
        var server = WireMockServer.Start(settings);
        server.Given(Request.Create().WithPath(UserPath).UsingPost())
            .RespondWith(Response.Create().WithStatusCode(200).WithHeader("Content-Type", "application/json").WithBody(UserBody));
        return new WireMockWithMock(mock, server);
    }

    public HttpClient Client() => new() { BaseAddress = new Uri(Mock.BaseUrl.ToString().TrimEnd('/') + "/") };

    public async ValueTask DisposeAsync()
    {
        Server.Stop();
        Server.Dispose();
        await Mock.DisposeAsync();
    }
}
