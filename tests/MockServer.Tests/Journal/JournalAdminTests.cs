using System.Net.Http.Headers;
using System.Text.Json;
using MockServer.Budgets;
using MockServer.Journal;
using MockServer.Tests.Budgets;

namespace MockServer.Tests.Journal;

/// <summary>
/// <c>GET/DELETE /admin/journal</c> (issue 9): the entries as snake_case JSON, oldest first, filtered by the query as in
/// process; clearing says how many went; a bad query is a 400 naming the parameter (a typo never clears everything);
/// admin requests are not journaled; the route follows the admin rules of issue 8 (off by default, its own key).
/// </summary>
public sealed class JournalAdminTests
{
    private const string V1Key = "sk-journal-admin-test-v1";
    private const string AdminKey = "journal-admin-key-0001";

    [Fact]
    public async Task The_route_lists_entries_as_snake_case_json_filtered_as_in_process()
    {
        await using var harness = await JournalHarness.StartAsync();
        await JournalFilterTests.SendMixAsync(harness);
        await harness.SettledAsync(5);
        var root = harness.Root();

        var all = await Answer.SendAsync(root, HttpMethod.Get, "admin/journal");
        var alpha200 = await Answer.SendAsync(root, HttpMethod.Get, "admin/journal?session=alpha&status=200&path=/v1/completions");
        var byModel = await Answer.SendAsync(root, HttpMethod.Get, "admin/journal?model=missing-model");

        all.Status.Should().Be(200, all.Body);
        all.Json.EnumerateArray().Select(e => e.GetProperty("sequence").GetInt64()).Should().Equal(harness.Journal.Entries().Select(e => e.Sequence));
        var first = all.Json[0];
        var entry = harness.Journal.Entries()[0];
        first.GetProperty("path").GetString().Should().Be("/v1/completions");
        first.GetProperty("model").GetString().Should().Be("llama-8b");
        first.GetProperty("answered_by").GetString().Should().Be("fixture");
        first.GetProperty("fixture").GetString().Should().Be(JournalHarness.CompletionFixture);
        first.GetProperty("status").GetInt32().Should().Be(200);
        first.GetProperty("session").GetString().Should().Be("alpha");
        first.GetProperty("body").GetString().Should().Be(JournalHarness.Count());
        first.GetProperty("request_hash").GetString().Should().Be(entry.RequestHash);
        first.GetProperty("time").GetDateTimeOffset().Should().Be(entry.Time);
        first.GetProperty("duration_ms").GetDouble().Should().Be(entry.Duration.TotalMilliseconds);
        first.GetProperty("headers").GetProperty("X-Mock-Session").GetString().Should().Be("alpha");
        foreach (var field in new[] { "body_truncated", "near_misses", "fault", "retry_after_seconds", "stream", "frames", "done", "left_early", "method" })
        {
            first.TryGetProperty(field, out _).Should().BeTrue(field);
        }

        alpha200.Json.EnumerateArray().Should().ContainSingle().Which.GetProperty("sequence").GetInt64().Should().Be(entry.Sequence);
        byModel.Json.EnumerateArray().Should().ContainSingle().Which.GetProperty("status").GetInt32().Should().Be(404);
        harness.Journal.Entries().Should().HaveCount(5, "reading the journal does not add to it");
    }

    [Fact]
    public async Task Delete_clears_what_the_filter_matches_and_says_how_many()
    {
        await using var harness = await JournalHarness.StartAsync();
        await JournalFilterTests.SendMixAsync(harness);
        await harness.SettledAsync(5);
        var root = harness.Root();

        var some = await Answer.SendAsync(root, HttpMethod.Delete, "admin/journal?session=alpha");
        var remaining = harness.Journal.Entries();
        var rest = await Answer.SendAsync(root, HttpMethod.Delete, "admin/journal");

        some.Status.Should().Be(200, some.Body);
        some.Json.GetProperty("removed").GetInt32().Should().Be(2);
        remaining.Should().HaveCount(3).And.OnlyContain(e => e.Session != "alpha");
        rest.Json.GetProperty("removed").GetInt32().Should().Be(3);
        harness.Journal.Entries().Should().BeEmpty();
    }

    [Theory]
    [InlineData("status=abc", "status")]
    [InlineData("status=99", "status")]
    [InlineData("status=600", "status")]
    [InlineData("status=", "status")]
    [InlineData("path=v1/completions", "path")]
    [InlineData("model=a&model=b", "model")]
    [InlineData("session=", "session")]
    [InlineData("sesion=alpha", "sesion")]
    public async Task A_bad_query_is_a_400_naming_the_parameter_and_clears_nothing(string query, string param)
    {
        await using var harness = await JournalHarness.StartAsync();
        await JournalFilterTests.SendMixAsync(harness);
        await harness.SettledAsync(5);
        var root = harness.Root();

        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Delete })
        {
            var answer = await Answer.SendAsync(root, method, $"admin/journal?{query}");

            answer.Status.Should().Be(400, answer.Body);
            answer.Error.GetProperty("param").GetString().Should().Be(param);
        }

        harness.Journal.Entries().Should().HaveCount(5);
    }

    [Fact]
    public async Task The_route_is_off_unless_admin_is_enabled()
    {
        await using var harness = await JournalHarness.StartAsync(o => o.EnableAdmin = false);
        using (var response = await harness.V1().PostAsync("completions", JournalHarness.Json(JournalHarness.Count())))
        {
            ((int)response.StatusCode).Should().Be(200);
        }

        var answer = await Answer.SendAsync(harness.Root(), HttpMethod.Get, "admin/journal");
        var clear = await Answer.SendAsync(harness.Root(), HttpMethod.Delete, "admin/journal");

        answer.Status.Should().Be(404, answer.Body);
        clear.Status.Should().Be(404, clear.Body);
        (await harness.SettledAsync(1)).Should().ContainSingle("the journal is still kept in process");
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData(V1Key, "invalid_api_key")]
    [InlineData("wrong-key", "invalid_api_key")]
    public async Task With_keys_configured_the_route_takes_the_admin_key(string? key, string code)
    {
        await using var harness = await JournalHarness.StartAsync(o =>
        {
            o.Keys.Add(new ApiKeyEntry(V1Key) { Name = "team" });
            o.AdminKey = AdminKey;
        });
        using (var response = await harness.V1(key: V1Key).PostAsync("completions", JournalHarness.Json(JournalHarness.Count())))
        {
            ((int)response.StatusCode).Should().Be(200);
        }

        await harness.SettledAsync(1);

        var refused = await Answer.SendAsync(harness.Root(key), HttpMethod.Get, "admin/journal");
        var refusedClear = await Answer.SendAsync(harness.Root(key), HttpMethod.Delete, "admin/journal");
        var allowed = await Answer.SendAsync(harness.Root(AdminKey), HttpMethod.Get, "admin/journal");

        refused.Status.Should().Be(401);
        refused.Error.GetProperty("code").GetString().Should().Be(code);
        refusedClear.Status.Should().Be(401);
        harness.Journal.Entries().Should().ContainSingle("a refused clear removes nothing, and admin requests are not journaled");
        allowed.Status.Should().Be(200, allowed.Body);
        allowed.Json.GetArrayLength().Should().Be(1);
    }
}
