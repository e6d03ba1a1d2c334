using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Builder;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;
using WireMock.Types;

namespace MockServer.WireMock.Tests;

/// <summary>
/// The mock resolves its services from its own container even when WireMock's host has already set request services
/// on the connection's features: its CORS middleware (<c>CorsPolicyOptions</c>) does, as can any earlier hook. Before
/// the mock set its own request services in its layer, keys answered 500 (the budget gate found nothing), the
/// behaviour file's faults and eviction silently did nothing, and <c>/admin</c> answered 500.
/// </summary>
public sealed class WireMockCorsTests
{
    /// <summary>Fails a test that would otherwise hang; never reached when the behaviour holds.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private const string Chat = """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"stream":true}""";

    private static Task<WireMockWithMock> StartWithCorsAsync(MockServerOptions options) =>
        WireMockWithMock.StartAsync(options, settings => settings.CorsPolicyOptions = CorsPolicyOptions.AllowAll);

    private static HttpRequestMessage Post(string path, string json, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }

    [Fact]
    public async Task With_keys_an_authorised_streaming_chat_is_answered()
    {
        var options = new MockServerOptions();
        options.ApiKeys.Add("team-key");
        await using var env = await StartWithCorsAsync(options);
        using var client = env.Client();

        using var request = Post("chat/completions", Chat, "team-key");
        using var response = await client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        body.Should().StartWith("data: {").And.EndWith("data: [DONE]\n\n");
        env.Mock.Keys.All.Should().ContainSingle().Which.Requests.Should().Be(1, "the mock's own key accounts counted the request");
    }

    [Fact]
    public async Task The_admin_journal_is_answered()
    {
        await using var env = await StartWithCorsAsync(new MockServerOptions { EnableAdmin = true, AdminKey = "admin-key" });
        using var client = env.Client();
        (await client.GetAsync("models")).Dispose();

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(env.Mock.BaseUrl, "/admin/journal"));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "admin-key");
        using var response = await client.SendAsync(request);

        var body = await response.Content.ReadAsStringAsync();
        response.StatusCode.Should().Be(HttpStatusCode.OK, body);
        body.Should().Contain("/v1/models");
    }

    [Fact]
    public async Task A_fault_from_the_behaviour_file_is_applied()
    {
        const string Behaviour = """{"faults": {"seed": 1, "rules": [{"fault": "status=503;retry_after=2", "rate": 1}]}}""";
        await using var env = await StartWithCorsAsync(new MockServerOptions { Behaviour = new BehaviourDocument("faults.json", Behaviour) });
        using var client = env.Client();

        using var response = await client.SendAsync(Post("chat/completions", Chat));

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, await response.Content.ReadAsStringAsync());
        response.Headers.GetValues("X-Mock-Fault-Applied").Should().ContainSingle().Which.Should().Contain("status=503");
    }

    [Fact]
    public async Task Evict_ends_a_stream_in_flight()
    {
        var clock = new WatchedTimeProvider();
        var delay = TimeSpan.FromSeconds(1);
        await using var env = await StartWithCorsAsync(new MockServerOptions { TimeProvider = clock, TokenDelay = delay });
        using var client = env.Client();
        using var request = Post("chat/completions", Chat.Replace("\"max_tokens\":3", "\"max_tokens\":12", StringComparison.Ordinal));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(HangGuard);
        await using var body = await response.Content.ReadAsStreamAsync();

        // Chat's role chunk and first content chunk are due with the first token: both come before the first wait.
        for (var frame = 0; frame < 2; frame++)
        {
            (await StreamReading.ReadUntilAsync(body, "\n\n").WaitAsync(HangGuard)).Should().StartWith("data: {");
        }

        await clock.WaitForPendingAsync(1).WaitAsync(HangGuard); // the stream waits between frames

        env.Mock.Evict("llama-8b-instruct").StreamsEnded.Should().Be(1, "the mock's own stream registry holds the stream");
        clock.Advance(delay);

        var rest = await new StreamReader(body).ReadToEndAsync().WaitAsync(HangGuard);
        rest.Should().Contain("\"model_evicted\"").And.EndWith("data: [DONE]\n\n");
    }

    [Fact]
    public async Task A_hook_assigned_before_the_mock_still_runs_on_the_mocks_answers()
    {
        await using var env = await WireMockWithMock.StartAsync(configure: settings =>
        {
            settings.CorsPolicyOptions = CorsPolicyOptions.AllowAll;
            settings.PreWireMockMiddlewareInit = app => ((IApplicationBuilder)app).Use(next => context =>
            {
                context.Response.Headers["X-Team-Hook"] = "ran";
                return next(context);
            });
        });
        using var client = env.Client();

        using var mine = await client.GetAsync("models");
        using var theirs = await client.PostAsync("embeddings", new StringContent("{}", Encoding.UTF8, "application/json"));

        mine.StatusCode.Should().Be(HttpStatusCode.OK);
        mine.Headers.GetValues("X-Team-Hook").Should().Equal("ran");
        theirs.StatusCode.Should().Be(HttpStatusCode.OK);
        theirs.Headers.GetValues("X-Team-Hook").Should().Equal("ran");
    }
}
