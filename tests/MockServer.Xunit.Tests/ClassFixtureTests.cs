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

    public static TheoryData<int> Runs => [1, 2, 3];

    [Theory]
    [MemberData(nameof(Runs))]
    public async Task Each_test_gets_the_shared_server_as_it_started(int run)
    {
        _ = run;
        s_first ??= Server;
        Server.Should().BeSameAs(s_first, "one server serves every test of the class");
        using var client = Mock.CreateClient(BudgetedMock.Key);
        var usage = Server.Keys.Get("team");
        usage.Limits.TokenBudget.Should().Be(BudgetedMock.Budget, "an earlier test's change to the limits is undone");
        (usage.Requests, usage.TotalTokens).Should().Be((0L, 0L), "an earlier test's spending is forgotten");

        await Dirt.ShouldBeFreshAsync(Server, client);
        await Dirt.LeaveAsync(Server, client);
        Server.Keys.SetLimits("team", new KeyLimits(TokenBudget: 0));
    }

    [Fact]
    public async Task The_options_fixtures_stay_across_resets()
    {
        using var client = Mock.CreateClient(BudgetedMock.Key);
        using var response = await client.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "always there" });
        (await response.Content.ReadAsStringAsync()).Should().Contain("\" kept\"");
    }
}
