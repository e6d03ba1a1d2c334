using System.Text.Json;
using MockServer.Budgets;

namespace MockServer.Tests.Budgets;

/// <summary>
/// A key's token budget (issue 8, "Per-key budgets"): every request is charged prompt plus completion tokens; a request
/// the rest of the budget cannot hold gets 429 <c>insufficient_quota</c> without <c>Retry-After</c> (spec-facts §6.2:
/// it needs a person to act), and concurrent requests never spend more than the budget.
/// </summary>
public sealed class TokenBudgetTests
{
    private const string Key = "sk-budget-team-0001";

    /// <summary>What one scripted request costs (prompt plus completion), read from a served answer's usage.</summary>
    private static async Task<long> CostAsync(KeyedServer server, HttpClient v1)
    {
        var answer = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        answer.Status.Should().Be(200, answer.Body);
        var usage = answer.Json.GetProperty("usage");
        usage.GetProperty("completion_tokens").GetInt32().Should().Be(KeyedServer.CompletionTokens, "the script gives exactly max_tokens tokens");
        server.Server.Keys.Reset("team");
        return usage.GetProperty("total_tokens").GetInt64();
    }

    [Fact]
    public async Task Each_request_is_charged_its_usage_and_the_budget_refusal_is_insufficient_quota_without_retry_after()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team" });
        var v1 = server.V1(Key);
        var cost = await CostAsync(server, v1);
        server.Server.Keys.SetLimits("team", new KeyLimits(TokenBudget: 2 * cost));

        (await Answer.PostAsync(v1, "completions", KeyedServer.Completion())).Status.Should().Be(200);
        (await Answer.PostAsync(v1, "completions", KeyedServer.Completion())).Status.Should().Be(200);
        var refused = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());

        refused.Status.Should().Be(429, refused.Body);
        refused.Error.GetProperty("type").GetString().Should().Be("insufficient_quota");
        refused.Error.GetProperty("code").GetString().Should().Be("insufficient_quota");
        refused.Error.GetProperty("message").GetString().Should().StartWith("You exceeded your current quota, please check your plan and billing details.");
        refused.Header("Retry-After").Should().BeNull("an exhausted budget needs a person, not a wait");
        refused.Header("x-should-retry").Should().Be("false", "so SDKs that read it do not retry (spec-facts §6.4)");
        refused.Header("x-ratelimit-limit-requests").Should().BeNull("the key has no per-minute limit");
        var usage = server.Server.Keys.Get("team");
        usage.Should().BeEquivalentTo(new { Requests = 2L, TotalTokens = 2 * cost, ReservedTokens = 0L, RemainingBudget = 0L });
        usage.CompletionTokens.Should().Be(2 * KeyedServer.CompletionTokens);
    }

    [Fact]
    public async Task A_request_whose_max_tokens_the_rest_of_the_budget_cannot_hold_is_refused_before_generating()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team" });
        var v1 = server.V1(Key);
        var cost = await CostAsync(server, v1);
        server.Server.Keys.SetLimits("team", new KeyLimits(TokenBudget: cost));

        // Four tokens more of max_tokens than the budget holds: the reservation does not fit, though the script would stop at 4.
        var refused = await Answer.PostAsync(v1, "completions", KeyedServer.Completion(maxTokens: 2 * KeyedServer.CompletionTokens));
        var fits = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());

        refused.Status.Should().Be(429);
        refused.Error.GetProperty("code").GetString().Should().Be("insufficient_quota");
        refused.Error.GetProperty("message").GetString().Should().Contain($"{cost} of its {cost} budget tokens are left").And.Contain($"up to {cost + KeyedServer.CompletionTokens}");
        fits.Status.Should().Be(200, fits.Body);
        server.Server.Keys.Get("team").RemainingBudget.Should().Be(0);
    }

    [Fact]
    public async Task Chat_is_charged_and_refused_by_the_same_budget()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team", Limits = new KeyLimits(TokenBudget: 0) });
        var v1 = server.V1(Key);

        var refused = await Answer.PostAsync(v1, "chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""");

        refused.Status.Should().Be(429, refused.Body);
        refused.Error.GetProperty("code").GetString().Should().Be("insufficient_quota");
        server.Server.Keys.SetLimits("team", KeyLimits.None);
        var served = await Answer.PostAsync(v1, "chat/completions", """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""");
        served.Status.Should().Be(200, served.Body);
        var usage = served.Json.GetProperty("usage");
        server.Server.Keys.Get("team").Should().BeEquivalentTo(new
        {
            Requests = 1L,
            PromptTokens = usage.GetProperty("prompt_tokens").GetInt64(),
            CompletionTokens = usage.GetProperty("completion_tokens").GetInt64(),
        });
    }

    [Fact]
    public async Task Forty_concurrent_requests_spend_exactly_the_budget_never_more()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team" });
        var v1 = server.V1(Key);
        var cost = await CostAsync(server, v1);
        // Room for ten requests and half of an eleventh, which must not be spent.
        var budget = (10 * cost) + (cost / 2);
        server.Server.Keys.SetLimits("team", new KeyLimits(TokenBudget: budget));

        var answers = await Task.WhenAll(Enumerable.Range(0, 40).Select(i =>
            Answer.PostAsync(v1, "completions", KeyedServer.Completion(stream: i % 2 == 0))));

        answers.Count(a => a.Status == 200).Should().Be(10);
        answers.Where(a => a.Status != 200).Should().OnlyContain(a => a.Status == 429 && a.Error.GetProperty("code").GetString() == "insufficient_quota");
        using var admin = await Answer.SendAsync(server.Root(), HttpMethod.Get, "admin/keys/team") is { Status: 200 } ok
            ? JsonDocument.Parse(ok.Body)
            : throw new InvalidOperationException("the admin route did not answer");
        var shown = admin.RootElement;
        shown.GetProperty("requests").GetInt64().Should().Be(10);
        shown.GetProperty("total_tokens").GetInt64().Should().Be(10 * cost);
        shown.GetProperty("reserved_tokens").GetInt64().Should().Be(0);
        shown.GetProperty("remaining_budget").GetInt64().Should().Be(cost / 2);
    }

    [Fact]
    public async Task Keys_without_limits_and_servers_without_keys_are_never_refused_or_given_rate_headers()
    {
        await using var keyed = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team" });
        await using var open = await KeyedServer.StartAsync(_ => { });
        var keyedClient = keyed.V1(Key);
        var openClient = open.V1(null);

        for (var i = 0; i < 5; i++)
        {
            var a = await Answer.PostAsync(keyedClient, "completions", KeyedServer.Completion());
            var b = await Answer.PostAsync(openClient, "completions", KeyedServer.Completion());
            a.Status.Should().Be(200);
            b.Status.Should().Be(200);
            a.Headers.Keys.Concat(b.Headers.Keys).Should().NotContain(h => h.StartsWith("x-ratelimit", StringComparison.OrdinalIgnoreCase));
        }

        keyed.Server.Keys.Get("team").Requests.Should().Be(5, "an unlimited key is still counted");
        open.Server.Keys.All.Should().BeEmpty();
    }
}
