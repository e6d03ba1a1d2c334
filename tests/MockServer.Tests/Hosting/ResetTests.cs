using System.Text.Json;
using MockServer.Budgets;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Journal;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Hosting;

/// <summary>
/// <see cref="MockLlmServer.Reset"/>: what the xunit fixture calls between tests that share one server. Each test
/// changes one kind of state a test can change, resets, and shows the server answers as a fresh one would.
/// </summary>
public sealed class ResetTests
{
    private const string Ping = """{"model":"llama-8b","prompt":"ping","max_tokens":3,"seed":1}""";

    private static async Task<JsonElement> CompleteAsync(HttpClient http, string json, string? session = null, string? key = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions") { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        if (session is not null)
        {
            request.Headers.Add(RequestJournal.SessionHeader, session);
        }

        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        var root = JsonDocument.Parse(body).RootElement.Clone();
        return response.IsSuccessStatusCode ? root : JsonDocument.Parse($$"""{"status":{{(int)response.StatusCode}},"error":{{body}}}""").RootElement.Clone();
    }

    private static string Text(JsonElement completion) => completion.GetProperty("choices")[0].GetProperty("text").GetString()!;

    [Fact]
    public async Task The_journal_and_the_run_time_fixtures_of_every_session_are_gone()
    {
        await using var server = await MockLlmServer.StartAsync();
        using var http = Api.ClientFor(server);
        var unscripted = Text(await CompleteAsync(http, Ping));
        server.Fixtures.Add("""{"completions": [{"match": {"model": "llama-8b", "prompt": "ping"}, "tokens": [" global"]}]}""");
        server.Fixtures.Add("""{"completions": [{"match": {"model": "llama-8b", "prompt": "ping"}, "tokens": [" mine"]}]}""", session: "test-a");
        Text(await CompleteAsync(http, Ping, session: "test-a")).Should().Be(" mine");
        await server.Journal.WaitForAsync(2);

        server.Reset();

        server.Journal.Entries().Should().BeEmpty();
        server.Fixtures.List().Should().BeEmpty();
        Text(await CompleteAsync(http, Ping, session: "test-a")).Should().Be(unscripted, "the session's fixture is gone");
        Text(await CompleteAsync(http, Ping)).Should().Be(unscripted, "the global fixture is gone");
    }

    [Fact]
    public async Task Every_key_gets_its_budget_back_and_its_configured_limits()
    {
        var options = new MockServerOptions();
        options.Keys.Add(new ApiKeyEntry("sk-team") { Name = "team", Limits = new KeyLimits(TokenBudget: 200) });
        await using var server = await MockLlmServer.StartAsync(options);
        using var http = Api.ClientFor(server);
        (await CompleteAsync(http, Ping, key: "sk-team")).TryGetProperty("choices", out _).Should().BeTrue();
        server.Keys.SetLimits("team", new KeyLimits(TokenBudget: 0));
        (await CompleteAsync(http, Ping, key: "sk-team")).GetProperty("status").GetInt32().Should().Be(429, "the test spent the budget");

        server.Reset();

        var usage = server.Keys.Get("team");
        usage.Limits.Should().Be(new KeyLimits(TokenBudget: 200), "the limits a test changed go back to the configured ones");
        (usage.Requests, usage.TotalTokens).Should().Be((0L, 0L));
        (await CompleteAsync(http, Ping, key: "sk-team")).TryGetProperty("choices", out _).Should().BeTrue();
    }

    [Fact]
    public async Task A_booted_cold_model_is_cold_again()
    {
        var clock = new WatchedTimeProvider();
        var options = new MockServerOptions { TimeProvider = clock };
        options.Fixtures.Add(new FixtureDocument("cold.json", """{"models": [{"id": "cold-base", "root": "meta-llama/Llama-3.1-8B", "cold": {"boot_seconds": 10}}]}"""));
        await using var server = await MockLlmServer.StartAsync(options);
        using var http = Api.ClientFor(server);
        const string Cold = """{"model":"cold-base","prompt":"Hi","max_tokens":2,"seed":1}""";
        (await CompleteAsync(http, Cold)).GetProperty("status").GetInt32().Should().Be(503, "the first request starts the boot");
        clock.Advance(TimeSpan.FromSeconds(10));
        (await CompleteAsync(http, Cold)).TryGetProperty("choices", out _).Should().BeTrue("the model has booted");

        server.Reset();

        (await CompleteAsync(http, Cold)).GetProperty("status").GetInt32().Should().Be(503, "a fresh server's cold model boots on its first request");
    }

    [Fact]
    public async Task The_fault_schedule_draws_again_as_on_a_fresh_server()
    {
        const string Behaviour = """{"faults": {"seed": 7, "rules": [{"fault": "status=503;retry_after=1", "rate": 0.5}]}}""";
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { Behaviour = new BehaviourDocument("faults.json", Behaviour) });
        using var http = Api.ClientFor(server);
        async Task<string> RunAsync()
        {
            var statuses = new List<string>();
            for (var i = 0; i < 12; i++)
            {
                statuses.Add((await CompleteAsync(http, Ping)).TryGetProperty("status", out var s) ? s.ToString() : "200");
            }

            return string.Join(',', statuses);
        }

        var first = await RunAsync();
        first.Should().Contain("503").And.Contain("200", "the run must show which identical requests the schedule faults");
        var continued = await RunAsync();
        continued.Should().NotBe(first, "without a reset the same requests draw the schedule's next occurrences");

        server.Reset();

        (await RunAsync()).Should().Be(first);
    }

    [Fact]
    public async Task Response_ids_and_unseeded_sampling_restart_from_the_seed()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { Seed = 3 });
        using var http = Api.ClientFor(server);
        const string Unseeded = """{"model":"llama-8b","prompt":"Tell me a story","max_tokens":8,"temperature":1}""";
        var fresh = await CompleteAsync(http, Unseeded);
        var later = await CompleteAsync(http, Unseeded);
        later.GetProperty("id").GetString().Should().NotBe(fresh.GetProperty("id").GetString());

        server.Reset();

        var again = await CompleteAsync(http, Unseeded);
        again.GetProperty("id").GetString().Should().Be(fresh.GetProperty("id").GetString());
        Text(again).Should().Be(Text(fresh));
    }

    [Fact]
    public async Task A_request_recorded_twice_replays_its_first_recording_again()
    {
        var dir = Directory.CreateTempSubdirectory("mock-reset-replay-").FullName;
        try
        {
            foreach (var (file, id) in new[] { ("a.json", "cmpl-first"), ("b.json", "cmpl-second") })
            {
                await File.WriteAllTextAsync(Path.Combine(dir, file), $$$"""
                    {"recording": 1, "endpoint": "completions", "method": "POST", "path": "/v1/completions",
                     "match": {"model": "m", "prompt": "Hi", "parameters": {}},
                     "response": {"status": 200, "headers": {"content-type": "application/json"}, "offset_ms": 0,
                                  "body": "{\"id\":\"{{{id}}}\",\"created\":1}"}}
                    """);
            }

            await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ReplayDirectory = dir, ReplayPinIds = true, ReplayTiming = "none" });
            using var http = Api.ClientFor(server);
            const string Hi = """{"model":"m","prompt":"Hi"}""";
            (await CompleteAsync(http, Hi)).GetProperty("id").GetString().Should().Be("cmpl-first");
            (await CompleteAsync(http, Hi)).GetProperty("id").GetString().Should().Be("cmpl-second");

            server.Reset();

            (await CompleteAsync(http, Hi)).GetProperty("id").GetString().Should().Be("cmpl-first");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
