using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// A route spelled in another case (review of issue 9): ASP.NET Core matches <c>/V1/Models</c>, and its recording must
/// still load, since the schema asks for the canonical <c>/v1/</c> route.
/// </summary>
public sealed class RecordedRouteTests : IDisposable
{
    private readonly string _dir = RecordingHarness.TempDirectory("mock-recording-route-");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task A_models_route_spelled_in_upper_case_is_recorded_as_the_canonical_route_and_replays()
    {
        await using (var upstream = await EchoUpstream.StartAsync())
        await using (var recorder = await MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = upstream.BaseUrl, RecordDirectory = _dir }))
        {
            using var client = Api.ClientFor(recorder);
            using var response = await client.GetAsync(new Uri(recorder.BaseUrl.GetLeftPart(UriPartial.Authority) + "/V1/Models"));
            ((int)response.StatusCode).Should().Be(200);
        }

        (await File.ReadAllTextAsync(Directory.GetFiles(_dir, "*.json").Single())).Should().Contain("\"path\": \"/v1/models\"");
        await using var replayer = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = _dir, ReplayTiming = "none" });
        using var replayClient = Api.ClientFor(replayer);
        (await replayClient.SendAsync(new Exchange("models", HttpMethod.Get, "models", null))).Text.Should().Contain("\"echo\":");
        // An entry is added once its request's handling ends, which can be just after the client read the answer: wait.
        (await replayer.Journal.WaitForAsync(1)).Single().AnsweredBy.Should().Be("recording");
    }
}
