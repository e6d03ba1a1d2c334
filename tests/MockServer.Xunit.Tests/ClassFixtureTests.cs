using System.Net.Http.Json;
using MockServer.Budgets;
using MockServer.Fixtures;
using MockServer.Hosting;

namespace MockServer.Xunit.Tests;

/// <summary>A fixture with other options, as the package's readme shows: a key with a token budget, and a fixture every test needs.</summary>
public sealed class BudgetedMock : MockLlmServerFixture
{
    public const string Key = "sk-budgeted";
    public const long Budget = 40;

    protected override MockServerOptions CreateOptions()
    {
        var options = base.CreateOptions();
        options.Keys.Add(new ApiKeyEntry(Key) { Name = "team", Limits = new KeyLimits(TokenBudget: Budget) });
        options.Fixtures.Add(FixtureDocument.Completion("always there", [" kept"]));
        return options;
    }
}

/// <summary>
/// <c>IClassFixture</c>: one server for the class's tests, reset before each. The three tests are alike on purpose:
/// whichever order xunit runs them in, every test after the first meets the server another test used.
/// </summary>
public sealed class ClassFixtureTests(BudgetedMock mock) : MockLlmServerTest<BudgetedMock>(mock), IClassFixture<BudgetedMock>
{
    private static MockLlmServer? s_first;
    private static (HttpClient Client, HttpResponseMessage Stream)? s_left;

    public static TheoryData<int> Runs => [1, 2, 3];

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Each_test_gets_the_shared_server_as_it_started(int run)
    {
        _ = run;
        s_first ??= Server;
        Server.Should().BeSameAs(s_first, "one server serves every test of the class");
        using var client = Mock.CreateClient(BudgetedMock.Key);
        await ReadWhatTheLastTestLeftAsync();
        var usage = Server.Keys.Get("team");
        usage.Limits.TokenBudget.Should().Be(BudgetedMock.Budget, "an earlier test's change to the limits is undone");
        (usage.Requests, usage.TotalTokens).Should().Be((0L, 0L), "an earlier test's spending is forgotten");

        await Dirt.ShouldBeFreshAsync(Server, client);
        await Dirt.LeaveAsync(Server, client);
        s_left = await LeaveAStreamRunningAsync();
        Server.Keys.SetLimits("team", new KeyLimits(TokenBudget: 0));
    }

    /// <summary>A stream read up to its first chunk and left: two seconds per token, charged to the key when it ends.</summary>
    private async Task<(HttpClient, HttpResponseMessage)> LeaveAStreamRunningAsync()
    {
        var client = Mock.CreateClient(BudgetedMock.Key);
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = JsonContent.Create(new { model = "llama-8b", prompt = "left running", max_tokens = 2, stream = true }) };
        request.Headers.Add("X-Mock-Timing", "ttft_ms=0;itl_ms=2000");
        var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        _ = await (await response.Content.ReadAsStreamAsync()).ReadAsync(new byte[16]);
        return (client, response);
    }

    /// <summary>
    /// Reads the earlier test's stream to its end. The reset before this test ended it, and its journal entry and charge
    /// landed before the clearing; a reset that left it running would let them land now, in this test's journal and
    /// usage (the stream's end reaches the client only after both).
    /// </summary>
    private static async Task ReadWhatTheLastTestLeftAsync()
    {
        if (s_left is not { } left)
        {
            return;
        }

        s_left = null;
        using (left.Client)
        using (left.Stream)
        {
            try
            {
                await (await left.Stream.Content.ReadAsStreamAsync()).CopyToAsync(Stream.Null);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                // cut by the reset: what this test wants
            }
        }
    }

    [Fact]
    public async Task The_options_fixtures_stay_across_resets()
    {
        using var client = Mock.CreateClient(BudgetedMock.Key);
        using var response = await client.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "always there" });
        (await response.Content.ReadAsStringAsync()).Should().Contain("\" kept\"");
    }
}
