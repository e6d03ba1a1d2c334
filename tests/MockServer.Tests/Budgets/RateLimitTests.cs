using System.Text.RegularExpressions;
using MockServer.Budgets;

namespace MockServer.Tests.Budgets;

/// <summary>
/// Requests-per-minute and tokens-per-minute limits (issue 8): over one, 429 <c>rate_limit_exceeded</c> with
/// <c>Retry-After</c> (whole seconds, at least 1) and OpenAI's <c>x-ratelimit-*</c> headers (spec-facts §6.4), which
/// admitted answers carry too; after the window the key is served again. All on a fake clock; nothing sleeps.
/// </summary>
public sealed partial class RateLimitTests
{
    private const string Key = "sk-rate-team-0002";

    [Fact]
    public async Task Over_rpm_is_rate_limit_exceeded_with_retry_after_and_headers_and_the_key_recovers_after_the_window()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team", Limits = new KeyLimits(RequestsPerMinute: 2) });
        var v1 = server.V1(Key);

        var first = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        server.Clock.Advance(TimeSpan.FromSeconds(15));
        var second = await Answer.PostAsync(v1, "completions", KeyedServer.Completion(stream: true));
        var refused = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        server.Clock.Advance(TimeSpan.FromSeconds(44.5));
        var stillRefused = await Answer.PostAsync(v1, "chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":1}""");
        server.Clock.Advance(TimeSpan.FromSeconds(0.5));
        var recovered = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());

        first.Status.Should().Be(200);
        RequestHeaders(first).Should().Be(("2", "1", "1m0s"));
        second.Status.Should().Be(200);
        RequestHeaders(second).Should().Be(("2", "0", "45s"), "the window opened with the first request, 15 s ago");
        refused.Status.Should().Be(429, refused.Body);
        refused.Error.GetProperty("code").GetString().Should().Be("rate_limit_exceeded");
        refused.Error.GetProperty("type").GetString().Should().Be("requests");
        refused.Error.GetProperty("message").GetString().Should().Contain("Limit 2, Used 2, Requested 1");
        refused.Header("Retry-After").Should().Be("45");
        RequestHeaders(refused).Should().Be(("2", "0", "45s"));
        stillRefused.Status.Should().Be(429, "chat shares the key's window");
        stillRefused.Header("Retry-After").Should().Be("1", "half a second rounds up to a whole one");
        RequestHeaders(stillRefused).Should().Be(("2", "0", "500ms"));
        recovered.Status.Should().Be(200, recovered.Body);
        RequestHeaders(recovered).Should().Be(("2", "1", "1m0s"));
        server.Server.Keys.Get("team").Requests.Should().Be(3, "refused requests are not counted");
    }

    [Fact]
    public async Task Over_tpm_is_rate_limit_exceeded_on_tokens_counting_prompt_plus_max_tokens()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team" });
        var v1 = server.V1(Key);
        var probe = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        var cost = probe.Json.GetProperty("usage").GetProperty("total_tokens").GetInt64();
        var tpm = (2 * cost) + (cost / 2);
        server.Server.Keys.SetLimits("team", new KeyLimits(TokensPerMinute: tpm));
        server.Server.Keys.Reset("team");

        var first = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        var second = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        server.Clock.Advance(TimeSpan.FromSeconds(20));
        var refused = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        server.Clock.Advance(TimeSpan.FromSeconds(40));
        var recovered = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());

        TokenHeaders(first).Should().Be(($"{tpm}", $"{tpm - cost}", "1m0s"));
        TokenHeaders(second).Should().Be(($"{tpm}", $"{tpm - (2 * cost)}", "1m0s"));
        refused.Status.Should().Be(429, refused.Body);
        refused.Error.GetProperty("code").GetString().Should().Be("rate_limit_exceeded");
        refused.Error.GetProperty("type").GetString().Should().Be("tokens");
        refused.Error.GetProperty("message").GetString().Should().Contain($"Limit {tpm}, Used {2 * cost}, Requested {cost}");
        refused.Header("Retry-After").Should().Be("40");
        TokenHeaders(refused).Should().Be(($"{tpm}", $"{tpm - (2 * cost)}", "40s"));
        refused.Header("x-ratelimit-limit-requests").Should().BeNull("the key has no requests-per-minute limit");
        recovered.Status.Should().Be(200, recovered.Body);
        TokenHeaders(recovered).Should().Be(($"{tpm}", $"{tpm - cost}", "1m0s"));
    }

    [Fact]
    public async Task A_request_larger_than_the_tpm_limit_is_refused_without_retry_after_since_waiting_cannot_help()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team", Limits = new KeyLimits(RequestsPerMinute: 100, TokensPerMinute: 10) });
        var v1 = server.V1(Key);

        var refused = await Answer.PostAsync(v1, "completions", KeyedServer.Completion(maxTokens: 50));

        refused.Status.Should().Be(429, refused.Body);
        refused.Error.GetProperty("code").GetString().Should().Be("rate_limit_exceeded");
        refused.Error.GetProperty("message").GetString().Should().StartWith("Request too large for tokens per min (TPM)");
        refused.Header("Retry-After").Should().BeNull();
        refused.Header("x-should-retry").Should().Be("false", "the same request fails the same way after any wait (spec-facts §6.4)");
        RequestHeaders(refused).Should().Be(("100", "100", "0s"), "nothing was admitted, so no window is open");
    }

    [Fact]
    public async Task Every_rate_header_is_well_formed_on_admitted_and_refused_answers()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team", Limits = new KeyLimits(RequestsPerMinute: 3, TokensPerMinute: 1000) });
        var v1 = server.V1(Key);

        var answers = new List<Answer>();
        for (var i = 0; i < 5; i++)
        {
            answers.Add(await Answer.PostAsync(v1, "completions", KeyedServer.Completion()));
            server.Clock.Advance(TimeSpan.FromMilliseconds(7_777));
        }

        answers.Select(a => a.Status).Should().Equal(200, 200, 200, 429, 429);
        foreach (var answer in answers)
        {
            foreach (var what in new[] { "requests", "tokens" })
            {
                long.Parse(answer.Header($"x-ratelimit-limit-{what}")!, System.Globalization.CultureInfo.InvariantCulture).Should().BePositive();
                long.Parse(answer.Header($"x-ratelimit-remaining-{what}")!, System.Globalization.CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(0);
                answer.Header($"x-ratelimit-reset-{what}").Should().MatchRegex(GoDuration().ToString());
            }
        }

        answers[3].Header("Retry-After").Should().MatchRegex("^[1-9][0-9]*$");
        answers[3].Header("x-ratelimit-reset-requests").Should().Be("36.669s", "the window opened 3 × 7.777 s ago");
    }

    [Theory]
    [InlineData(0, "0s")]
    [InlineData(0.0004, "1ms")]
    [InlineData(0.012, "12ms")]
    [InlineData(1, "1s")]
    [InlineData(59.5, "59.5s")]
    [InlineData(60, "1m0s")]
    [InlineData(90.25, "1m30.25s")]
    [InlineData(3723, "1h2m3s")]
    public void Resets_are_written_as_openai_writes_them(double seconds, string expected) =>
        RateLimitHeaders.Duration(TimeSpan.FromSeconds(seconds)).Should().Be(expected);

    private static (string?, string?, string?) RequestHeaders(Answer a) =>
        (a.Header("x-ratelimit-limit-requests"), a.Header("x-ratelimit-remaining-requests"), a.Header("x-ratelimit-reset-requests"));

    private static (string?, string?, string?) TokenHeaders(Answer a) =>
        (a.Header("x-ratelimit-limit-tokens"), a.Header("x-ratelimit-remaining-tokens"), a.Header("x-ratelimit-reset-tokens"));

    [GeneratedRegex(@"^(\d+h)?(\d+m)?(\d+(\.\d{1,3})?s|\d+ms)$")]
    private static partial Regex GoDuration();
}
