using MockServer.Budgets;
using MockServer.Hosting;

namespace MockServer.Tests.Budgets;

/// <summary>
/// The key admin routes outside <c>/v1</c> (issue 8): off unless enabled, behind their own key when keys are configured,
/// each key's usage by name (never the key), and reset or limit changes that take effect at once. Bad bodies and
/// unknown names get structured 4xx answers.
/// </summary>
public sealed class KeyAdminTests
{
    private const string TeamKey = "sk-admin-team-key-0003";
    private const string PlainKey = "sk-plain-key-without-limits-0004";

    private static Task<KeyedServer> StartAsync() => KeyedServer.StartAsync(o =>
    {
        o.Keys.Add(new ApiKeyEntry(TeamKey) { Name = "team", Limits = new KeyLimits(TokenBudget: 1_000, RequestsPerMinute: 100) });
        o.ApiKeys.Add(PlainKey);
        o.EnableAdmin = true;
        o.AdminKey = KeyedServer.AdminKey;
    });

    [Fact]
    public async Task Admin_routes_are_off_by_default()
    {
        await using var server = await KeyedServer.StartAsync(o => o.ApiKeys.Add(PlainKey));

        var answer = await Answer.SendAsync(server.Root(PlainKey), HttpMethod.Get, "admin/keys");

        answer.Status.Should().Be(404, answer.Body);
        answer.Error.GetProperty("code").GetString().Should().Be("unknown_url");
    }

    [Theory]
    [InlineData("GET", "admin/nope")]
    [InlineData("POST", "admin/models/llama-8b/restart")]
    public async Task An_unknown_admin_path_lists_the_admin_routes_not_the_v1_ones(string method, string path)
    {
        await using var server = await StartAsync();

        var answer = await Answer.SendAsync(server.Root(), new HttpMethod(method), path);
        var v1 = await Answer.SendAsync(server.Root(TeamKey), HttpMethod.Get, "v1/nope");

        answer.Status.Should().Be(404, answer.Body);
        answer.Error.GetProperty("code").GetString().Should().Be("unknown_url");
        answer.Error.GetProperty("message").GetString().Should().Contain("GET /admin/keys").And.Contain("POST /admin/models/{model}/evict")
            .And.NotContain("/v1/completions");
        v1.Error.GetProperty("message").GetString().Should().Contain("POST /v1/completions").And.NotContain("/admin");
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData(TeamKey, "invalid_api_key")]
    [InlineData(PlainKey, "invalid_api_key")]
    public async Task Admin_routes_take_the_admin_key_not_a_v1_key(string? key, string code)
    {
        await using var server = await StartAsync();

        foreach (var (method, path) in new[] { (HttpMethod.Get, "admin/keys"), (HttpMethod.Get, "admin/keys/team"), (HttpMethod.Post, "admin/keys/team/reset"), (HttpMethod.Patch, "admin/keys/team") })
        {
            var answer = await Answer.SendAsync(server.Root(key), method, path, method == HttpMethod.Patch ? """{"token_budget":0}""" : null);
            answer.Status.Should().Be(401, $"{method} {path}");
            answer.Error.GetProperty("code").GetString().Should().Be(code);
        }

        server.Server.Keys.Get("team").Limits.TokenBudget.Should().Be(1_000, "a refused PATCH changes nothing");
    }

    [Fact]
    public async Task The_list_shows_every_key_by_name_with_its_usage_and_limits()
    {
        await using var server = await StartAsync();
        var served = await Answer.PostAsync(server.V1(TeamKey), "completions", KeyedServer.Completion());
        var usage = served.Json.GetProperty("usage");

        var list = await Answer.SendAsync(server.Root(), HttpMethod.Get, "admin/keys");

        list.Status.Should().Be(200, list.Body);
        var data = list.Json.GetProperty("data");
        data.GetArrayLength().Should().Be(2);
        var team = data[0];
        team.GetProperty("name").GetString().Should().Be("team");
        team.GetProperty("requests").GetInt64().Should().Be(1);
        team.GetProperty("prompt_tokens").GetInt64().Should().Be(usage.GetProperty("prompt_tokens").GetInt64());
        team.GetProperty("completion_tokens").GetInt64().Should().Be(usage.GetProperty("completion_tokens").GetInt64());
        team.GetProperty("token_budget").GetInt64().Should().Be(1_000);
        team.GetProperty("remaining_budget").GetInt64().Should().Be(1_000 - usage.GetProperty("total_tokens").GetInt64());
        team.GetProperty("rpm").GetInt64().Should().Be(100);
        team.GetProperty("tpm").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        data[1].GetProperty("name").GetString().Should().Be("key-2", "an unnamed key is named by its place");
        data[1].GetProperty("remaining_budget").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
    }

    [Fact]
    public async Task Reset_and_a_new_budget_take_effect_at_once()
    {
        await using var server = await StartAsync();
        var v1 = server.V1(TeamKey);
        var admin = server.Root();

        var patched = await Answer.SendAsync(admin, HttpMethod.Patch, "admin/keys/team", """{"token_budget": 0}""");
        var refused = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        var raised = await Answer.SendAsync(admin, HttpMethod.Patch, "admin/keys/team", """{"token_budget": 500, "rpm": null}""");
        var served = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        var cost = served.Json.GetProperty("usage").GetProperty("total_tokens").GetInt64();
        var lowered = await Answer.SendAsync(admin, HttpMethod.Patch, "admin/keys/team", $$"""{"token_budget": {{cost}}}""");
        var exhausted = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());
        var reset = await Answer.SendAsync(admin, HttpMethod.Post, "admin/keys/team/reset");
        var again = await Answer.PostAsync(v1, "completions", KeyedServer.Completion());

        patched.Status.Should().Be(200, patched.Body);
        patched.Json.GetProperty("token_budget").GetInt64().Should().Be(0);
        patched.Json.GetProperty("rpm").GetInt64().Should().Be(100, "a field left out stays");
        refused.Status.Should().Be(429);
        raised.Json.GetProperty("rpm").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null, "null removes the limit");
        served.Status.Should().Be(200);
        served.Header("x-ratelimit-limit-requests").Should().BeNull("the rpm limit was removed");
        lowered.Json.GetProperty("remaining_budget").GetInt64().Should().Be(0);
        exhausted.Status.Should().Be(429);
        reset.Status.Should().Be(200, reset.Body);
        reset.Json.GetProperty("requests").GetInt64().Should().Be(0);
        reset.Json.GetProperty("total_tokens").GetInt64().Should().Be(0);
        reset.Json.GetProperty("remaining_budget").GetInt64().Should().Be(cost);
        again.Status.Should().Be(200, again.Body);
    }

    [Fact]
    public async Task The_in_process_api_reads_resets_and_changes_keys_like_the_routes()
    {
        await using var server = await StartAsync();
        var v1 = server.V1(TeamKey);
        var keys = server.Server.Keys;

        keys.SetLimits("team", keys.Get("team").Limits with { TokenBudget = 0 });
        (await Answer.PostAsync(v1, "completions", KeyedServer.Completion())).Status.Should().Be(429);
        keys.SetLimits("team", KeyLimits.None);
        (await Answer.PostAsync(v1, "completions", KeyedServer.Completion())).Status.Should().Be(200);
        keys.Get("team").Requests.Should().Be(1);
        keys.Reset("team").Requests.Should().Be(0);
        keys.All.Select(k => k.Name).Should().Equal("team", "key-2");
        keys.Invoking(k => k.Get("nobody")).Should().Throw<KeyNotFoundException>();
        keys.Invoking(k => k.SetLimits("team", new KeyLimits(RequestsPerMinute: 0))).Should().Throw<ArgumentException>().WithMessage("*rpm must be at least 1*");
    }

    [Theory]
    [InlineData("""{"token_budget": -1}""", "token_budget", "integer_below_min_value")]
    [InlineData("""{"rpm": 0}""", "rpm", "integer_below_min_value")]
    [InlineData("""{"tpm": "100"}""", "tpm", "invalid_type")]
    [InlineData("""{"tpm": 1.5}""", "tpm", "invalid_type")]
    [InlineData("""{"budget": 100}""", "budget", "unknown_parameter")]
    [InlineData("""{"rpm": 1, "rpm": 2}""", "rpm", "duplicate_parameter")]
    [InlineData("""[1]""", null, "invalid_type")]
    [InlineData("""{"rpm": """, null, "invalid_json")]
    public async Task A_bad_patch_body_is_a_400_naming_the_field_and_changes_nothing(string body, string? param, string code)
    {
        await using var server = await StartAsync();

        var answer = await Answer.SendAsync(server.Root(), HttpMethod.Patch, "admin/keys/team", body);

        answer.Status.Should().Be(400, answer.Body);
        answer.Error.GetProperty("code").GetString().Should().Be(code);
        answer.Error.GetProperty("param").GetString().Should().Be(param);
        server.Server.Keys.Get("team").Limits.Should().Be(new KeyLimits(1_000, 100, null));
    }

    [Theory]
    [InlineData("GET", "admin/keys/nobody")]
    [InlineData("POST", "admin/keys/nobody/reset")]
    [InlineData("PATCH", "admin/keys/nobody")]
    public async Task An_unknown_name_is_a_404_listing_the_names(string method, string path)
    {
        await using var server = await StartAsync();

        var answer = await Answer.SendAsync(server.Root(), new HttpMethod(method), path, method == "PATCH" ? """{"rpm": 5}""" : null);

        answer.Status.Should().Be(404, answer.Body);
        answer.Error.GetProperty("code").GetString().Should().Be("key_not_found");
        answer.Error.GetProperty("message").GetString().Should().Be("No key is named 'nobody'. Keys: team, key-2.");
    }

    [Fact]
    public async Task No_key_appears_in_any_admin_answer()
    {
        await using var server = await StartAsync();
        await Answer.PostAsync(server.V1(TeamKey), "completions", KeyedServer.Completion());
        await Answer.PostAsync(server.V1(PlainKey), "completions", KeyedServer.Completion());
        var admin = server.Root();

        var answers = new[]
        {
            await Answer.SendAsync(admin, HttpMethod.Get, "admin/keys"),
            await Answer.SendAsync(admin, HttpMethod.Get, "admin/keys/key-2"),
            await Answer.SendAsync(admin, HttpMethod.Post, "admin/keys/team/reset"),
            await Answer.SendAsync(admin, HttpMethod.Patch, "admin/keys/team", """{"tpm": 50}"""),
            await Answer.SendAsync(admin, HttpMethod.Get, "admin/keys/nobody"),
            await Answer.SendAsync(admin, HttpMethod.Patch, "admin/keys/team", """{"key": "x"}"""),
        };

        answers.Take(4).Should().OnlyContain(a => a.Status == 200);
        foreach (var answer in answers)
        {
            var text = answer.Body + string.Join("\n", answer.Headers.Select(h => $"{h.Key}: {h.Value}"));
            text.Should().NotContain(TeamKey).And.NotContain(PlainKey).And.NotContain(KeyedServer.AdminKey);
        }
    }

    [Fact]
    public void Enabling_admin_with_keys_needs_an_admin_key_that_differs_from_them()
    {
        var withoutAdminKey = new MockServerOptions { EnableAdmin = true };
        withoutAdminKey.Keys.Add(new ApiKeyEntry(TeamKey));
        var sameKey = new MockServerOptions { EnableAdmin = true, AdminKey = TeamKey };
        sameKey.Keys.Add(new ApiKeyEntry(TeamKey));

        FluentActions.Awaiting(() => MockLlmServer.StartAsync(withoutAdminKey)).Should().ThrowAsync<ArgumentException>().WithMessage("*need their own key*");
        FluentActions.Awaiting(() => MockLlmServer.StartAsync(sameKey)).Should().ThrowAsync<ArgumentException>().WithMessage("the admin key must differ from every API key.");
    }
}
