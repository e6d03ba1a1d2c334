using System.Net.Http.Json;
using MockServer.Fixtures;
using MockServer.Xunit;

namespace PackageConsumer;

/// <summary>The README's xunit example, as a user writes it against the packages.</summary>
public class PingTests(MockLlmServerFixture mock) : MockLlmServerTest(mock), IClassFixture<MockLlmServerFixture>
{
    [Fact]
    public async Task Answers_pong()
    {
        Server.Fixtures.Add(FixtureDocument.Completion("ping", [" pong"]));    // gone before the next test
        using var response = await Client.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "ping" });
        Assert.Contains("\" pong\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_next_test_starts_clean()
    {
        Assert.Empty(Server.Journal.Entries());
        Assert.Empty(Server.Fixtures.List());
        using var response = await Client.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "ping", max_tokens = 1 });
        Assert.True(response.IsSuccessStatusCode);
        Assert.Single(await Server.Journal.WaitForAsync(1));
    }
}
