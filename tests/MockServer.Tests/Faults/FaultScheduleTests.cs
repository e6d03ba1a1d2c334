using System.Collections.Concurrent;
using System.Net.Http.Headers;
using System.Text;
using MockServer.Faults;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Faults;

/// <summary>
/// The seeded fault schedule of a behaviour file (issue 8, "the same seed and the same requests give the same faults at
/// the same frames"): draws depend on the seed, the request and how many identical requests came before it, never on
/// the order in which concurrent requests arrive; a rate of 0 never draws, 1 always does.
/// </summary>
public sealed class FaultScheduleTests
{
    private const string Completions = "/v1/completions";
    private const string Chat = "/v1/chat/completions";

    private static readonly FaultPlan ErrorAfter3 = FaultPlan.Read("error_after=3");
    private static readonly FaultPlan Status503 = FaultPlan.Read("status=503;retry_after=2");

    private static FaultSchedule Schedule(ulong seed, params ScheduledFault[] rules) => new(seed, rules);

    private static ScheduledFault Rule(FaultPlan plan, double rate, string[]? models = null, string[]? paths = null) =>
        new(plan, rate, models?.ToHashSet(), paths?.ToHashSet());

    /// <summary>200 requests over 20 distinct bodies, each repeated (a client retrying, or a test suite re-running a case).</summary>
    private static List<(string Path, string Model, ulong Body)> Requests() =>
        [.. Enumerable.Range(0, 200).Select(i => (i % 3 == 0 ? Chat : Completions, i % 2 == 0 ? "llama-8b" : "llama-1b", (ulong)(i % 20)))];

    private static List<string?> DrawAll(FaultSchedule schedule, IEnumerable<(string Path, string Model, ulong Body)> requests, bool stream = true) =>
        [.. requests.Select(r => schedule.Draw(r.Path, r.Model, stream, r.Body)?.Describe())];

    private static ScheduledFault[] TwoRules() => [Rule(ErrorAfter3, 0.3), Rule(Status503, 0.2)];

    [Fact]
    public void The_same_seed_and_requests_give_the_same_faults()
    {
        var first = DrawAll(Schedule(42, TwoRules()), Requests());
        var second = DrawAll(Schedule(42, TwoRules()), Requests());

        second.Should().Equal(first);
        first.Should().Contain("error_after=3").And.Contain("status=503;retry_after=2").And.Contain((string?)null, "a rate below 1 leaves some requests alone");
    }

    [Fact]
    public void Another_seed_gives_another_schedule()
    {
        DrawAll(Schedule(43, TwoRules()), Requests()).Should().NotEqual(DrawAll(Schedule(42, TwoRules()), Requests()));
    }

    [Fact]
    public void An_identical_request_draws_anew_each_time_it_comes()
    {
        var schedule = Schedule(7, Rule(ErrorAfter3, 0.5));

        var draws = Enumerable.Range(0, 32).Select(_ => schedule.Draw(Completions, "llama-8b", true, 99)).ToList();

        draws.Should().Contain(p => p != null).And.Contain(p => p == null, "a retry is not doomed to the same fault");
    }

    [Fact]
    public async Task Concurrent_requests_get_the_same_faults_whatever_their_interleaving()
    {
        var requests = Requests();
        var sequential = DrawAll(Schedule(42, TwoRules()), requests);

        // The same requests, many at once from several threads: each distinct request gets the same multiset of faults.
        var concurrent = Schedule(42, TwoRules());
        var byRequest = new ConcurrentDictionary<(string, string, ulong), ConcurrentBag<string>>();
        await Task.WhenAll(requests.Select(r => Task.Run(() =>
            byRequest.GetOrAdd(r, _ => []).Add(concurrent.Draw(r.Path, r.Model, true, r.Body)?.Describe() ?? "none"))));

        foreach (var group in requests.Select((r, i) => (r, Fault: sequential[i] ?? "none")).GroupBy(x => x.r))
        {
            byRequest[group.Key].Should().BeEquivalentTo(group.Select(x => x.Fault), $"request {group.Key}");
        }
    }

    [Fact]
    public void Rate_0_never_draws_and_rate_1_always_does()
    {
        DrawAll(Schedule(1, Rule(ErrorAfter3, 0)), Requests()).Should().OnlyContain(f => f == null);
        DrawAll(Schedule(1, Rule(ErrorAfter3, 1)), Requests()).Should().OnlyContain(f => f == "error_after=3");
    }

    [Fact]
    public void A_stream_fault_is_never_drawn_for_a_non_streaming_request_but_a_status_is()
    {
        DrawAll(Schedule(1, Rule(ErrorAfter3, 1)), Requests(), stream: false).Should().OnlyContain(f => f == null);
        DrawAll(Schedule(1, Rule(ErrorAfter3, 1), Rule(Status503, 1)), Requests(), stream: false).Should().OnlyContain(f => f == "status=503;retry_after=2");
    }

    [Fact]
    public void Rules_limited_to_models_and_paths_apply_only_there()
    {
        var schedule = Schedule(1, Rule(ErrorAfter3, 1, models: ["llama-1b"], paths: [Completions]));

        schedule.Draw(Completions, "llama-1b", true, 1).Should().Be(ErrorAfter3);
        schedule.Draw(Completions, "llama-8b", true, 1).Should().BeNull();
        schedule.Draw(Chat, "llama-1b", true, 1).Should().BeNull();
    }

    [Fact]
    public void Only_requests_a_rule_applies_to_are_counted_and_a_full_table_starts_again_logged_once()
    {
        var schedule = new FaultSchedule(7, [Rule(ErrorAfter3, 0.5, paths: [Completions])], capacity: 3);
        using var logs = new CapturedLogs();
        var logger = logs.CreateLogger("MockServer.Faults");
        var fresh = new FaultSchedule(7, [Rule(ErrorAfter3, 0.5, paths: [Completions])], capacity: 3);
        var bodyFourAlone = Enumerable.Range(0, 8).Select(_ => fresh.Draw(Completions, "llama-8b", true, 4)?.Describe()).ToList();

        foreach (var body in new ulong[] { 1, 2, 3 })
        {
            schedule.Draw(Completions, "llama-8b", true, body, logger);
        }

        foreach (var body in Enumerable.Range(10, 50))
        {
            schedule.Draw(Chat, "llama-8b", true, (ulong)body, logger).Should().BeNull();
        }

        schedule.Counted.Should().Be(3, "no rule applies to chat, so those requests are not counted");
        var afterClear = Enumerable.Range(0, 8).Select(_ => schedule.Draw(Completions, "llama-8b", true, 4, logger)?.Describe()).ToList();
        schedule.Counted.Should().Be(1, "a fourth distinct request found the table full and started it again");
        afterClear.Should().Equal(bodyFourAlone, "after the clear the counts start from 1, as in a fresh run");
        foreach (var body in new ulong[] { 5, 6, 7, 8 })
        {
            schedule.Draw(Completions, "llama-8b", true, body, logger);
        }

        logs.Entries.Where(e => e.Event.Id == LogEvents.FaultScheduleCleared).Should().ContainSingle("the clear is logged once, not every time")
            .Which.Message.Should().Contain("3 distinct requests");
    }

    [Theory]
    [InlineData("/V1/completions")]
    [InlineData("/v1/completions/")]
    [InlineData("/v1/COMPLETIONS")]
    public async Task A_paths_rule_applies_to_its_route_however_the_path_is_spelt(string spelling)
    {
        const string Behaviour = """{"faults": {"seed": 1, "rules": [{"fault": "status=503;retry_after=1", "rate": 1, "paths": ["/v1/completions"]}]}}""";
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { Behaviour = new BehaviourDocument("paths.json", Behaviour) });
        using var http = new HttpClient { BaseAddress = new Uri(server.BaseUrl, "/") };

        using var faulted = await http.PostAsync(spelling.TrimStart('/'), new StringContent("""{"model":"llama-8b","prompt":"Hi","max_tokens":2}""", Encoding.UTF8, "application/json"));
        using var chat = await http.PostAsync("V1/chat/completions/", new StringContent("""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":2}""", Encoding.UTF8, "application/json"));

        ((int)faulted.StatusCode).Should().Be(503, await faulted.Content.ReadAsStringAsync());
        faulted.Headers.GetValues("X-Mock-Fault-Applied").Should().Equal("status=503;retry_after=1");
        ((int)chat.StatusCode).Should().Be(200, "the rule names only completions");
    }

    [Fact]
    public async Task Over_HTTP_two_servers_with_the_same_behaviour_file_fault_the_same_requests_at_the_same_frames()
    {
        const string Behaviour = """
            // comments are allowed, as in fixture files
            {"faults": {"seed": 2026, "rules": [
               {"fault": "error_after=2", "rate": 0.4, "paths": ["/v1/completions"]},
               {"fault": "status=503;retry_after=1", "rate": 0.2},
            ]}}
            """;
        var first = await RunAsync(Behaviour);
        var second = await RunAsync(Behaviour);

        second.Should().Equal(first);
        first.Should().Contain(o => o.StartsWith("200 error_after=2 frames=3", StringComparison.Ordinal), "two frames, then the error event");
        first.Should().Contain(o => o.StartsWith("503 status=503;retry_after=1", StringComparison.Ordinal));
        first.Should().Contain(o => o.StartsWith("200 none", StringComparison.Ordinal));
        (await RunAsync(Behaviour.Replace("2026", "2027", StringComparison.Ordinal))).Should().NotEqual(first, "another seed, another schedule");
    }

    /// <summary>Sends 12 streamed completions (6 prompts, each twice) and says for each: status, applied fault, JSON frames.</summary>
    private static async Task<List<string>> RunAsync(string behaviour)
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { Behaviour = new BehaviourDocument("schedule.json", behaviour) });
        using var http = Api.ClientFor(server);
        var outcomes = new List<string>();
        foreach (var i in Enumerable.Range(0, 12))
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "completions")
            {
                Content = new StringContent($$"""{"model":"llama-8b","prompt":"Case {{i % 6}}","max_tokens":6,"seed":1,"stream":true}""", Encoding.UTF8),
            };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            var applied = response.Headers.TryGetValues("X-Mock-Fault-Applied", out var v) ? string.Join(",", v) : "none";
            var frames = body.Split("\n\n").Count(e => e.StartsWith("data: {", StringComparison.Ordinal));
            outcomes.Add($"{(int)response.StatusCode} {applied} frames={frames}");
        }

        return outcomes;
    }

    [Fact]
    public async Task The_behaviour_file_timing_becomes_the_server_timing()
    {
        var options = new MockServerOptions
        {
            Timing = new StreamTiming { Jitter = 0.1 },
            Behaviour = new BehaviourDocument("timing.json", """{"timing": {"ttft_ms": 150, "tps": 20}}"""),
        };

        await using var server = await MockLlmServer.StartAsync(options);

        options.Timing.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(150));
        options.Timing.Interval.Should().Be(TimeSpan.FromMilliseconds(50));
        options.Timing.Jitter.Should().Be(0.1, "what the file leaves out stays");
    }
}
