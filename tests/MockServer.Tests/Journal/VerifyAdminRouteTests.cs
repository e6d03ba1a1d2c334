using System.Text.Json;
using MockServer.Budgets;
using MockServer.Journal;
using MockServer.Tests.Budgets;

namespace MockServer.Tests.Journal;

/// <summary>
/// <c>GET /admin/journal/verify</c> (issue 9, "Client verification ... at the admin route"): the verdicts as JSON,
/// filtered like the journal, behind the admin key; a query it cannot read is a 400 envelope naming the parameter.
/// The journal is filled in process here, so the route is tested apart from how the middleware records requests.
/// </summary>
public sealed class VerifyAdminRouteTests
{
    private const string V1Key = "sk-verify-client-0001";

    private static Task<KeyedServer> StartAsync() => KeyedServer.StartAsync(new ApiKeyEntry(V1Key));

    /// <summary>Session "a" retried a 429 too soon and re-sent a 400; session "b" waited and read its stream to [DONE].</summary>
    private static void Record(RequestJournal journal)
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        void Add(double seconds, int status, string hash, string session, int? retryAfter = null, bool stream = false) => journal.Add(new JournalEntry
        {
            Sequence = journal.NextSequence(),
            Time = t0.AddSeconds(seconds),
            Method = "POST",
            Path = "/v1/chat/completions",
            Model = "llama-8b-instruct",
            Status = status,
            RequestHash = hash,
            RetryAfterSeconds = retryAfter,
            Session = session,
            Stream = stream,
            Frames = stream ? 6 : 0,
            Done = stream,
            Duration = TimeSpan.Zero,
        });

        Add(0, 429, "x", "a", retryAfter: 2);
        Add(0.5, 200, "x", "a");
        Add(1, 400, "bad", "a");
        Add(1.1, 400, "bad", "a");
        Add(0, 503, "y", "b", retryAfter: 3);
        Add(3.25, 200, "y", "b", stream: true);
    }

    [Fact]
    public async Task The_report_lists_each_verdict_with_its_entry_retry_and_gap()
    {
        await using var server = await StartAsync();
        Record(server.Server.Journal);

        var answer = await Answer.SendAsync(server.Root(), HttpMethod.Get, "admin/journal/verify");

        answer.Status.Should().Be(200, answer.Body);
        answer.Header("Content-Type").Should().StartWith("application/json");
        var json = answer.Json;
        json.GetProperty("object").GetString().Should().Be("client_verification");
        json.GetProperty("passed").GetBoolean().Should().BeFalse();
        var rules = json.GetProperty("rules");
        (rules.GetProperty("waited-retry-after").GetProperty("passed").GetInt32(), rules.GetProperty("waited-retry-after").GetProperty("failed").GetInt32()).Should().Be((1, 1));
        (rules.GetProperty("no-retry-of-hopeless").GetProperty("passed").GetInt32(), rules.GetProperty("no-retry-of-hopeless").GetProperty("failed").GetInt32()).Should().Be((1, 1));
        (rules.GetProperty("read-to-done").GetProperty("passed").GetInt32(), rules.GetProperty("read-to-done").GetProperty("failed").GetInt32()).Should().Be((1, 0));

        var findings = json.GetProperty("findings").EnumerateArray().ToList();
        findings.Select(f => (f.GetProperty("rule").GetString(), f.GetProperty("passed").GetBoolean(), f.GetProperty("sequence").GetInt64()))
            .Should().Equal(("waited-retry-after", false, 1L), ("no-retry-of-hopeless", false, 3L), ("no-retry-of-hopeless", true, 4L), ("waited-retry-after", true, 5L), ("read-to-done", true, 6L));
        findings[0].GetProperty("follow_up").GetInt64().Should().Be(2);
        findings[0].GetProperty("gap_seconds").GetDouble().Should().BeApproximately(0.5, 1e-9);
        findings[0].GetProperty("message").GetString().Should().Contain("429 with Retry-After: 2").And.Contain("sooner than");
        findings[1].GetProperty("follow_up").GetInt64().Should().Be(4);
        findings[2].TryGetProperty("gap_seconds", out _).Should().BeFalse("only a Retry-After verdict has a gap");
        findings[3].GetProperty("gap_seconds").GetDouble().Should().BeApproximately(3.25, 1e-9);
    }

    [Theory]
    [InlineData("?session=b", true, 2)]
    [InlineData("?session=a", false, 3)]
    [InlineData("?status=429", false, 1)]
    [InlineData("?status=400&session=a", false, 2)]
    [InlineData("?path=/v1/chat/completions&model=llama-8b-instruct&session=b", true, 2)]
    [InlineData("?model=other", true, 0)]
    [InlineData("", false, 5)]
    public async Task The_query_filters_the_entries_judged_as_the_journal_does(string query, bool passed, int findings)
    {
        await using var server = await StartAsync();
        Record(server.Server.Journal);

        var answer = await Answer.SendAsync(server.Root(), HttpMethod.Get, "admin/journal/verify" + query);

        answer.Status.Should().Be(200, answer.Body);
        answer.Json.GetProperty("passed").GetBoolean().Should().Be(passed);
        answer.Json.GetProperty("findings").GetArrayLength().Should().Be(findings);
    }

    [Fact]
    public async Task The_route_and_the_in_process_report_agree()
    {
        await using var server = await StartAsync();
        Record(server.Server.Journal);

        var report = server.Server.Journal.Verify(new JournalFilter(Session: "a"));
        var answer = await Answer.SendAsync(server.Root(), HttpMethod.Get, "admin/journal/verify?session=a");

        var wire = answer.Json.GetProperty("findings").EnumerateArray()
            .Select(f => (f.GetProperty("rule").GetString()!, f.GetProperty("passed").GetBoolean(), f.GetProperty("sequence").GetInt64(), f.GetProperty("message").GetString()!));
        wire.Should().Equal(report.Findings.Select(f => (f.Rule, f.Passed, f.Sequence, f.Message)));
        report.Passed.Should().BeFalse();
        report.Failures.Select(f => f.Rule).Should().Equal("waited-retry-after", "no-retry-of-hopeless");
    }

    [Theory]
    [InlineData("?status=abc", "status", "invalid_value", "got 'abc'")]
    [InlineData("?status=700", "status", "invalid_value", "from 100 to 599")]
    [InlineData("?status=4.5", "status", "invalid_value", "got '4.5'")]
    [InlineData("?status=-400", "status", "invalid_value", "got '-400'")]
    [InlineData("?status=", "status", "invalid_value", "give it once, with a value")]
    [InlineData("?path=v1/chat/completions", "path", "invalid_value", "starting with '/'")]
    [InlineData("?stauts=429", "stauts", "unknown_parameter", "filtered by path, model, status, session")]
    [InlineData("?Session=a", "Session", "unknown_parameter", "Unknown query parameter: 'Session'")]
    [InlineData("?session=a&session=b", "session", "invalid_value", "give it once")]
    public async Task A_query_it_cannot_read_is_a_400_naming_the_parameter(string query, string param, string code, string says)
    {
        await using var server = await StartAsync();

        var answer = await Answer.SendAsync(server.Root(), HttpMethod.Get, "admin/journal/verify" + query);

        answer.Status.Should().Be(400, answer.Body);
        var error = answer.Error;
        error.GetProperty("param").GetString().Should().Be(param);
        error.GetProperty("code").GetString().Should().Be(code);
        error.GetProperty("message").GetString().Should().Contain(says);
    }

    [Theory]
    [InlineData(null)]
    [InlineData(V1Key)]
    public async Task The_route_takes_the_admin_key_not_a_client_key(string? key)
    {
        await using var server = await StartAsync();
        Record(server.Server.Journal);

        var answer = await Answer.SendAsync(server.Root(key), HttpMethod.Get, "admin/journal/verify");

        answer.Status.Should().Be(401, answer.Body);
        answer.Body.Should().NotContain("waited-retry-after");
    }

    [Fact]
    public async Task The_route_is_absent_unless_admin_is_enabled()
    {
        await using var server = await KeyedServer.StartAsync(o => o.ApiKeys.Add(V1Key));

        var answer = await Answer.SendAsync(server.Root(V1Key), HttpMethod.Get, "admin/journal/verify");

        answer.Status.Should().Be(404, answer.Body);
        answer.Error.GetProperty("code").GetString().Should().Be("unknown_url");
    }

    [Fact]
    public async Task The_README_report_example_is_what_the_route_answers()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(MockServer.Tests.Fixtures.FixtureLoadingTests.RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## Client verification", StringComparison.Ordinal)..];
        var start = section.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        using var example = JsonDocument.Parse(section[start..section.IndexOf("```", start, StringComparison.Ordinal)]);
        await using var server = await StartAsync();
        var journal = server.Server.Journal;
        var t0 = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var (status, retryAfter) in new (int, int?)[] { (429, 2), (200, null) })
        {
            journal.Add(new JournalEntry
            {
                Sequence = journal.NextSequence(), Time = t0, Method = "POST", Path = "/v1/completions", Status = status,
                RequestHash = "same", RetryAfterSeconds = retryAfter, Duration = TimeSpan.Zero,
            });
        }

        var answer = await Answer.SendAsync(server.Root(), HttpMethod.Get, "admin/journal/verify");

        JsonElement.DeepEquals(answer.Json, example.RootElement).Should().BeTrue(answer.Body);
    }
}
