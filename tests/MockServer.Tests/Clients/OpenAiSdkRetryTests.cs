using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.Time.Testing;
using MockServer.Budgets;
using MockServer.Tests.Budgets;
using MockServer.Tests.TestUtils;
using OpenAI;
using OpenAI.Chat;

namespace MockServer.Tests.Clients;

/// <summary>
/// Which of a key's 429s an OpenAI SDK retries. A quota 429 and a "Request too large" 429 fail the same way however
/// long the client waits, so they carry <c>x-should-retry: false</c>, which the Python and Node SDKs read before their
/// own rules (spec-facts §6.4, §11 item 6); a per-minute <c>rate_limit_exceeded</c> carries <c>Retry-After</c> and is
/// retried. The .NET SDK (2.15, System.ClientModel 1.16) does not read <c>x-should-retry</c>: its retry policy retries
/// every 429, so these tests give it the one-line rule the other SDKs have, on top of its own policy, and count the
/// requests that reach the server.
/// </summary>
public sealed class OpenAiSdkRetryTests
{
    private const string Key = "sk-retry-team-0001";

    [Theory]
    [InlineData(10L, null, "insufficient_quota")]
    [InlineData(null, 10L, "rate_limit_exceeded")]
    public async Task A_429_that_waiting_cannot_fix_is_not_retried(long? budget, long? tpm, string code)
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Limits = new KeyLimits(TokenBudget: budget, TokensPerMinute: tpm) });
        var (client, policy, counter) = Client(server);

        var call = () => client.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 50 });

        var error = (await call.Should().ThrowAsync<ClientResultException>()).Which;
        error.Status.Should().Be(429);
        error.Message.Should().Contain(code);
        counter.Requests.Should().Be(1, "x-should-retry: false stops the retries");
        policy.Delays.Should().BeEmpty();
    }

    [Fact]
    public async Task A_per_minute_429_is_retried_after_Retry_After_and_then_served()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Limits = new KeyLimits(RequestsPerMinute: 1) });
        var (client, policy, counter) = Client(server);
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 5 };
        await client.CompleteChatAsync([new UserChatMessage("Hello")], options);
        server.Clock.Advance(TimeSpan.FromSeconds(20));

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Hello")], options);

        counter.Requests.Should().Be(3, "one served, one refused for the minute, its retry served");
        policy.Delays.Should().ContainSingle().Which.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(40), "the SDK honours Retry-After: 40");
        completion.Content.Should().ContainSingle().Which.Text.Should().NotBeEmpty();
    }

    private static (ChatClient Client, ShouldRetryPolicy Policy, CountingHandler Counter) Client(KeyedServer server)
    {
        var counter = new CountingHandler();
#pragma warning disable CA2000 // the HttpClient is owned by the transport, which lives as long as the test
        var transport = new HttpClientPipelineTransport(new HttpClient(counter));
#pragma warning restore CA2000
        var policy = new ShouldRetryPolicy(server.Clock);
        var options = new OpenAIClientOptions { Endpoint = server.Server.BaseUrl, RetryPolicy = policy, Transport = transport };
        return (new ChatClient("llama-8b-instruct", new ApiKeyCredential(Key), options), policy, counter);
    }

    /// <summary>The SDK's own retry policy plus the Python SDK's first rule (never retry on <c>x-should-retry: false</c>), waiting on the fake clock.</summary>
    private sealed class ShouldRetryPolicy(FakeTimeProvider clock) : FakeClockRetryPolicy(clock, maxRetries: 2)
    {
        protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
            !(message.Response is { } response && response.Headers.TryGetValue("x-should-retry", out var value)
                && string.Equals(value, "false", StringComparison.OrdinalIgnoreCase))
            && base.ShouldRetry(message, exception);

        protected override ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
            ValueTask.FromResult(ShouldRetry(message, exception));
    }

    /// <summary>Counts the requests the SDK sends (retries included).</summary>
    private sealed class CountingHandler() : DelegatingHandler(new HttpClientHandler())
    {
        private int _requests;

        public int Requests => Volatile.Read(ref _requests);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _requests);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
