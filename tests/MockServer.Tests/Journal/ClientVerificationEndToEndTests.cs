using System.ClientModel;
using System.ClientModel.Primitives;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Time.Testing;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Journal;
using MockServer.Tests.TestUtils;
using OpenAI;
using OpenAI.Chat;

namespace MockServer.Tests.Journal;

/// <summary>
/// Client verification end to end (issue 9, "Tests drive a well-behaved and a badly behaved client and get the right
/// verdicts"): real clients against one in-process server on a fake clock, each in its own <c>X-Mock-Session</c>, judged
/// from the journal in process and at <c>/admin/journal/verify</c>. The well-behaved client is the OpenAI .NET SDK with
/// its own retry policy (waiting on the fake clock instead of sleeping); the badly behaved one is a raw HttpClient that
/// retries at once, re-sends a 400 and abandons a stream. These need the journal middleware to record each entry's
/// request hash, Retry-After, stream, frames and done (the journal bullet of issue 9).
/// </summary>
public sealed class ClientVerificationEndToEndTests
{
    private const string ColdChat = "cold-chat";
    private const string WarmChat = "llama-8b-instruct";
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(30);

    private const string ColdModels = """
        {"models": [{"id": "cold-chat", "root": "meta-llama/Llama-3.1-8B-Instruct", "chat_template": "llama3", "cold": {"boot_seconds": 4.2}}]}
        """;

    private static async Task<(MockLlmServer Server, WatchedTimeProvider Clock)> StartAsync()
    {
        var clock = new WatchedTimeProvider();
        var options = new MockServerOptions { TimeProvider = clock, EnableAdmin = true };
        options.Fixtures.Add(new FixtureDocument("cold-models.json", ColdModels));
        return (await MockLlmServer.StartAsync(options), clock);
    }

    [Fact]
    public async Task The_OpenAI_SDK_with_its_own_retry_policy_passes_every_rule()
    {
        var (server, clock) = await StartAsync();
        await using var _s = server;
        const string Session = "sdk";

        // A cold model: 503 with Retry-After 5, which the SDK waits before its retry is served.
        var cold = Client(server, clock, ColdChat, Session, out var coldPolicy);
        (await cold.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 5 })).Value.Content.Should().NotBeEmpty();

        // A 429 with Retry-After 2 on the first try only: the SDK waits, and its retry is served.
        var limited = Client(server, clock, WarmChat, Session, out var limitedPolicy, faultOnFirstTry: "status=429;retry_after=2");
        (await limited.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 5 })).Value.Content.Should().NotBeEmpty();

        // A stream read to its end.
        var streaming = Client(server, clock, WarmChat, Session, out _);
        var updates = 0;
        await foreach (var update in streaming.CompleteChatStreamingAsync([new UserChatMessage("Tell me more")], new ChatCompletionOptions { MaxOutputTokenCount = 8 }))
        {
            updates++;
        }

        updates.Should().BePositive();

        // A 400 and a 404: the SDK does not retry either.
        var invalid = () => streaming.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { Temperature = 3f });
        (await invalid.Should().ThrowAsync<ClientResultException>()).Which.Status.Should().Be(400);
        var missing = () => Client(server, clock, "no-such-model", Session, out _).CompleteChatAsync([new UserChatMessage("Hello")]);
        (await missing.Should().ThrowAsync<ClientResultException>()).Which.Status.Should().Be(404);

        coldPolicy.Delays.Should().ContainSingle().Which.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5));
        limitedPolicy.Delays.Should().ContainSingle().Which.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(2));
        var filter = new JournalFilter(Session: Session);
        await UntilJournaledAsync(server, filter, 7); // 503 + 200, 429 + 200, the stream, the 400, the 404

        var report = server.Journal.Verify(filter);

        report.Failures.Should().BeEmpty();
        report.Passed.Should().BeTrue();
        Counts(report).Should().BeEquivalentTo(new Dictionary<string, int>
        {
            ["waited-retry-after"] = 2,
            ["no-retry-of-hopeless"] = 2,
            ["read-to-done"] = 1,
        });
        report.Findings.Where(f => f.Rule == "waited-retry-after").Select(f => f.GapSeconds).Should()
            .BeEquivalentTo(new double?[] { coldPolicy.Delays[0].TotalSeconds, limitedPolicy.Delays[0].TotalSeconds },
                "the fake clock moved only by the SDK's waits, so the gaps the server measured are exactly those");

        using var admin = new HttpClient { BaseAddress = new Uri(server.BaseUrl, "/") };
        var wire = await Get(admin, "admin/journal/verify?session=sdk");
        wire.Should().Contain("\"passed\":true").And.Contain("\"failed\":0").And.NotContain("\"failed\":1");
    }

    [Fact]
    public async Task A_client_that_retries_at_once_resends_a_400_and_abandons_a_stream_fails_each_rule()
    {
        var (server, clock) = await StartAsync();
        await using var _s = server;
        const string Session = "rude";

        // Disposing an unfinished response must close the connection, not drain it, so the server sees the client leave.
        using var http = new HttpClient(new SocketsHttpHandler { MaxResponseDrainSize = 0 }) { BaseAddress = new Uri(server.BaseUrl + "/"), Timeout = HangGuard };
        http.DefaultRequestHeaders.Add(RequestJournal.SessionHeader, Session);
        var chat = $$"""{"model":"{{WarmChat}}","messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""";

        // A 429 with Retry-After 2, retried without waiting.
        (await Send(http, chat, ("X-Mock-Fault", "status=429;retry_after=2"))).Should().Be(429);
        (await Send(http, chat)).Should().Be(200);

        // A 400, sent again unchanged.
        var invalid = $$"""{"model":"{{WarmChat}}","messages":[{"role":"user","content":"Hello"}],"temperature":3}""";
        (await Send(http, invalid)).Should().Be(400);
        (await Send(http, invalid)).Should().Be(400);

        // A stream abandoned after its first event, while the server waits to send the next.
        using (var request = Request($$"""{"model":"{{WarmChat}}","messages":[{"role":"user","content":"A long story"}],"max_tokens":200,"stream":true}""",
                   ("X-Mock-Timing", "itl_ms=1000")))
        using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
        {
            ((int)response.StatusCode).Should().Be(200);
            await using var body = await response.Content.ReadAsStreamAsync();
            (await StreamReading.ReadUntilAsync(body, "\n\n")).Should().StartWith("data: ");
            await clock.WaitForPendingAsync(1).WaitAsync(HangGuard);
        }

        await clock.WaitForPendingAsync(0).WaitAsync(HangGuard);
        var filter = new JournalFilter(Session: Session);
        await UntilJournaledAsync(server, filter, 5);

        var report = server.Journal.Verify(filter);

        report.Passed.Should().BeFalse();
        report.Failures.Select(f => f.Rule).Should().Equal("waited-retry-after", "no-retry-of-hopeless", "read-to-done");
        var entries = server.Journal.Entries(filter);
        report.Failures[0].Should().BeEquivalentTo(new { Sequence = entries[0].Sequence, FollowUp = entries[1].Sequence });
        report.Failures[0].GapSeconds.Should().Be(0, "the fake clock never moved between the 429 and its retry");
        report.Failures[1].Should().BeEquivalentTo(new { Sequence = entries[2].Sequence, FollowUp = entries[3].Sequence });
        report.Failures[2].Sequence.Should().Be(entries[4].Sequence);
        report.Failures[2].Message.Should().Contain("left the stream early");

        using var admin = new HttpClient { BaseAddress = new Uri(server.BaseUrl, "/") };
        var wire = await Get(admin, "admin/journal/verify?session=rude");
        wire.Should().Contain("\"passed\":false")
            .And.Contain("\"waited-retry-after\":{\"passed\":0,\"failed\":1}")
            .And.Contain("\"no-retry-of-hopeless\":{\"passed\":1,\"failed\":1}")
            .And.Contain("\"read-to-done\":{\"passed\":0,\"failed\":1}");
    }

    [Fact]
    public async Task Two_clients_sharing_a_server_are_judged_apart_by_session()
    {
        var (server, _) = await StartAsync();
        await using var _s = server;
        using var http = Api.ClientFor(server);
        var chat = $$"""{"model":"{{WarmChat}}","messages":[{"role":"user","content":"Hello"}],"max_tokens":5}""";

        // Session "a" is refused; session "b" sends the same request at once. That is not "a" retrying too soon.
        (await Send(http, chat, ("X-Mock-Fault", "status=429;retry_after=2"), (RequestJournal.SessionHeader, "a"))).Should().Be(429);
        (await Send(http, chat, (RequestJournal.SessionHeader, "b"))).Should().Be(200);
        await UntilJournaledAsync(server, JournalFilter.All, 2);

        var a = server.Journal.Verify(new JournalFilter(Session: "a"));

        a.Passed.Should().BeTrue();
        a.Findings.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Rule = "waited-retry-after", Passed = true, FollowUp = (long?)null });
    }

    private static Dictionary<string, int> Counts(ClientReport report) => report.Findings.GroupBy(f => f.Rule).ToDictionary(g => g.Key, g => g.Count());

    /// <summary>
    /// Waits until the journal holds <paramref name="count"/> matching entries: an entry is added once its answer is
    /// complete, which can be a moment after the client has read the last byte. The result does not depend on timing.
    /// </summary>
    private static async Task UntilJournaledAsync(MockLlmServer server, JournalFilter filter, int count)
    {
        using var guard = new CancellationTokenSource(HangGuard);
        while (server.Journal.Entries(filter).Count < count)
        {
            guard.Token.ThrowIfCancellationRequested();
            await Task.Yield();
        }
    }

    private static HttpRequestMessage Request(string json, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            request.Headers.Add(name, value);
        }

        return request;
    }

    private static async Task<int> Send(HttpClient http, string json, params (string Name, string Value)[] headers)
    {
        using var request = Request(json, headers);
        using var response = await http.SendAsync(request);
        _ = await response.Content.ReadAsStringAsync();
        return (int)response.StatusCode;
    }

    private static async Task<string> Get(HttpClient http, string path)
    {
        using var response = await http.GetAsync(new Uri(path, UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, body);
        response.Content.Headers.ContentType.Should().BeEquivalentTo(new MediaTypeHeaderValue("application/json"));
        return body;
    }

    /// <summary>An SDK client in <paramref name="session"/>, with the SDK's own retry policy waiting on the fake clock.</summary>
    private static ChatClient Client(MockLlmServer server, FakeTimeProvider clock, string model, string session, out FakeClockRetryPolicy policy, string? faultOnFirstTry = null)
    {
        policy = new FakeClockRetryPolicy(clock);
        var options = new OpenAIClientOptions { Endpoint = server.BaseUrl, RetryPolicy = policy };
        options.AddPolicy(new HeaderPolicy(RequestJournal.SessionHeader, session, firstTryOnly: false), PipelinePosition.PerTry);
        if (faultOnFirstTry is not null)
        {
            options.AddPolicy(new HeaderPolicy("X-Mock-Fault", faultOnFirstTry, firstTryOnly: true), PipelinePosition.PerTry);
        }

        return new ChatClient(model, new ApiKeyCredential("unused"), options);
    }

    /// <summary>Sets a header on each try, or on the first try only (the request object is reused by retries, so later tries remove it).</summary>
    private sealed class HeaderPolicy(string name, string value, bool firstTryOnly) : PipelinePolicy
    {
        private int _tries;

        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            Apply(message);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }

        private void Apply(PipelineMessage message)
        {
            if (!firstTryOnly || Interlocked.Increment(ref _tries) == 1)
            {
                message.Request.Headers.Set(name, value);
            }
            else
            {
                message.Request.Headers.Remove(name);
            }
        }
    }
}
