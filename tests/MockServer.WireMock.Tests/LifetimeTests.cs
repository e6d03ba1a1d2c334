using System.Net;
using System.Text;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;
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

    [Fact]
    public async Task Disposing_the_mock_ends_a_stream_in_flight_and_completes()
    {
        var hangGuard = TimeSpan.FromSeconds(30); // fails a test that would otherwise hang; never reached when the behaviour holds
        var clock = new WatchedTimeProvider();
        await using var env = await WireMockWithMock.StartAsync(new MockServerOptions { TimeProvider = clock, TokenDelay = TimeSpan.FromSeconds(1) });
        using var client = env.Client();
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions")
        {
            Content = new StringContent("""{"model":"llama-8b","prompt":"Hi","max_tokens":8,"stream":true}""", Encoding.UTF8, "application/json"),
        };
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(hangGuard);
        await using var body = await response.Content.ReadAsStreamAsync();
        (await StreamReading.ReadUntilAsync(body, "\n\n").WaitAsync(hangGuard)).Should().StartWith("data: {");
        await clock.WaitForPendingAsync(1).WaitAsync(hangGuard); // the stream waits on the clock for its next frame, which never moves

        // The WireMock server keeps running (its Dispose would not wait for the stream either, and its Kestrel aborts
        // requests only after a shutdown timeout): the mock's disposal alone must end the stream and then complete.
        await env.Mock.DisposeAsync().AsTask().WaitAsync(hangGuard);

        string rest;
        try
        {
            rest = await new StreamReader(body).ReadToEndAsync().WaitAsync(hangGuard);
        }
        catch (Exception ex) when (ex is IOException or HttpRequestException)
        {
            rest = ""; // the connection was cut: the client sees the stream end, not a hang
        }

        rest.Should().NotContain("data: {", "no frame is written after the mock is disposed");
    }
}
