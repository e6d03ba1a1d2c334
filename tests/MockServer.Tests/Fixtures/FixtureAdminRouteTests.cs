using System.Net.Http.Headers;
using MockServer.Budgets;
using MockServer.Tests.Budgets;

namespace MockServer.Tests.Fixtures;

/// <summary>
/// <c>/admin/fixtures</c> (issue 9): POST adds a document in the files' schema, GET lists, DELETE removes one or all,
/// each scoped by the request's <c>X-Mock-Session</c>; a bad document is a 400 naming path and line that adds nothing;
/// the routes follow the admin rules of issue 8 (off by default, their own key).
/// </summary>
public sealed class FixtureAdminRouteTests
{
    private const string V1Key = "sk-fixture-admin-test-v1";
    private const string AdminKey = "fixture-admin-key-0001";

    [Fact]
    public async Task Post_adds_a_document_for_the_headers_session_and_delete_removes_it()
    {
        await using var server = await RuntimeServer.StartAsync(o => o.EnableAdmin = true);
        var alphaAdmin = server.Root("alpha");

        var added = await Answer.SendAsync(alphaAdmin, HttpMethod.Post, "admin/fixtures", RuntimeServer.Completion("Over the wire", " posted", name: "posted"));

        added.Status.Should().Be(200, added.Body);
        var id = added.Json.GetProperty("id").GetString()!;
        added.Json.GetProperty("session").GetString().Should().Be("alpha");
        added.Json.GetProperty("completions").EnumerateArray().Select(e => e.GetString()).Should().Equal("posted");
        added.Json.GetProperty("chat").GetArrayLength().Should().Be(0);
        server.Fixtures.List("alpha").Should().ContainSingle().Which.Id.Should().Be(id, "the route and server.Fixtures are one store");
        (await RuntimeServer.CompleteAsync(server.V1("alpha"), "Over the wire")).Should().Be((200, " posted"));
        (await RuntimeServer.CompleteAsync(server.V1("beta"), "Over the wire")).Status.Should().Be(404);

        var alphaList = await Answer.SendAsync(alphaAdmin, HttpMethod.Get, "admin/fixtures");
        var betaList = await Answer.SendAsync(server.Root("beta"), HttpMethod.Get, "admin/fixtures");
        var allList = await Answer.SendAsync(server.Root(), HttpMethod.Get, "admin/fixtures");
        alphaList.Json.EnumerateArray().Select(e => e.GetProperty("id").GetString()).Should().Equal(id);
        betaList.Json.GetArrayLength().Should().Be(0, "a session lists only its own documents");
        allList.Json.EnumerateArray().Select(e => e.GetProperty("id").GetString()).Should().Equal(id);

        var byBeta = await Answer.SendAsync(server.Root("beta"), HttpMethod.Delete, $"admin/fixtures/{id}");
        byBeta.Status.Should().Be(404, "another session cannot remove it");
        byBeta.Error.GetProperty("code").GetString().Should().Be("fixture_document_not_found");
        (await RuntimeServer.CompleteAsync(server.V1("alpha"), "Over the wire")).Status.Should().Be(200);

        var removed = await Answer.SendAsync(alphaAdmin, HttpMethod.Delete, $"admin/fixtures/{id}");
        removed.Status.Should().Be(200, removed.Body);
        removed.Json.GetProperty("removed").GetInt32().Should().Be(1);
        (await RuntimeServer.CompleteAsync(server.V1("alpha"), "Over the wire")).Status.Should().Be(404);
        (await Answer.SendAsync(alphaAdmin, HttpMethod.Delete, $"admin/fixtures/{id}")).Status.Should().Be(404);
    }

    [Fact]
    public async Task A_document_posted_without_a_session_is_global_and_may_hold_comments_as_files_do()
    {
        await using var server = await RuntimeServer.StartAsync(o => o.EnableAdmin = true);

        var added = await Answer.SendAsync(server.Root(), HttpMethod.Post, "admin/fixtures", """
            // As in a fixture file: comments and trailing commas are allowed.
            {"chat": [{"match": {"user": "Global hello"}, "tokens": ["Hi", " all"],},],}
            """);

        added.Status.Should().Be(200, added.Body);
        added.Json.GetProperty("session").ValueKind.Should().Be(System.Text.Json.JsonValueKind.Null);
        (await RuntimeServer.ChatAsync(server.V1("alpha"), "Global hello")).Should().Be((200, "Hi all"));
        (await RuntimeServer.ChatAsync(server.V1(), "Global hello")).Should().Be((200, "Hi all"));
    }

    [Fact]
    public async Task Delete_all_is_scoped_by_the_session_header()
    {
        await using var server = await RuntimeServer.StartAsync(o => o.EnableAdmin = true);
        server.Fixtures.Add(RuntimeServer.Completion("a", " a"), "alpha");
        server.Fixtures.Add(RuntimeServer.Completion("b", " b"), "beta");
        server.Fixtures.Add(RuntimeServer.Completion("c", " c"));

        var alpha = await Answer.SendAsync(server.Root("alpha"), HttpMethod.Delete, "admin/fixtures");
        var remaining = server.Fixtures.List();
        var all = await Answer.SendAsync(server.Root(), HttpMethod.Delete, "admin/fixtures");

        alpha.Json.GetProperty("removed").GetInt32().Should().Be(1);
        remaining.Select(d => d.Session).Should().Equal("beta", null);
        all.Json.GetProperty("removed").GetInt32().Should().Be(2);
        server.Fixtures.List().Should().BeEmpty();
        (await RuntimeServer.CompleteAsync(server.V1(), RuntimeServer.FilePrompt)).Status.Should().Be(200, "the files' fixtures stay");
    }

    [Theory]
    [InlineData("{\"completions\": [\n  {\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"]},\n  {\"match\": {\"prompt\": \"bad\"}, \"tokens\": [{\"text\": \"z\", \"logprob\": 0.5}]}\n]}", "$.completions[1].tokens[0].logprob", "(line 3")]
    [InlineData("{\"completions\": [{\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"]}],\n \"models\": [{\"id\": \"m\", \"root\": \"r\"}]}", "$.models", "(line 2")]
    [InlineData("{\"completions\": [{\"match\": {\"model\": \"llama-8b\", \"prompt\": \"good\"}, \"tokens\": [\"y\"]}]}", "$.completions[0].match.model", "(line 1")]
    [InlineData("{\"completions\": [{\"match\": {\"prompt\": \"good\"}, \"tokens\": [\"y\"]}]", "not valid JSON", "line 1")]
    [InlineData("{\"completions\": [\n  {\"match\": {\"prompt\": \"good\"}, \"tokens\": [{\"text\": \"z\", \"logprob\": -1e400}]}\n]}", "$.completions[0].tokens[0].logprob", "(line 2")]
    [InlineData("{\"completions\": [{\"match\": {\"prompt\": \"good\"},\n  \"tokens\": [{\"text\": \"z\", \"top_logprobs\": {\"z\": -0.1, \"y\": -1e400}}]}]}", "$.completions[0].tokens[0].top_logprobs['y']", "(line 2")]
    [InlineData("[]", "$", "(line 1")]
    [InlineData("", "is empty", "(line 1")]
    public async Task A_bad_document_is_a_400_naming_path_and_line_and_adds_nothing(string document, string path, string line)
    {
        await using var server = await RuntimeServer.StartAsync(o => o.EnableAdmin = true);

        var answer = await Answer.SendAsync(server.Root("alpha"), HttpMethod.Post, "admin/fixtures", document);

        answer.Status.Should().Be(400, answer.Body);
        answer.Error.GetProperty("code").GetString().Should().Be("invalid_fixture");
        answer.Error.GetProperty("message").GetString().Should().StartWith("The fixture document was not added: ").And.Contain(path).And.Contain(line);
        server.Fixtures.List().Should().BeEmpty();
        (await RuntimeServer.CompleteAsync(server.V1("alpha"), "good")).Status.Should().Be(404, "not even the document's valid fixtures were added");
    }

    [Fact]
    public async Task A_document_beyond_the_limit_is_a_409_and_adds_nothing()
    {
        await using var server = await RuntimeServer.StartAsync(o => o.EnableAdmin = true);
        server.Fixtures.Limit = 2;
        server.Fixtures.Add(RuntimeServer.Completion("a", " a"), "alpha");
        server.Fixtures.Add(RuntimeServer.Completion("b", " b"));

        var answer = await Answer.SendAsync(server.Root("beta"), HttpMethod.Post, "admin/fixtures", RuntimeServer.Completion("c", " c"));

        answer.Status.Should().Be(409, answer.Body);
        answer.Error.GetProperty("code").GetString().Should().Be("fixture_limit_reached");
        answer.Error.GetProperty("message").GetString().Should().StartWith("The fixture document was not added: ").And.Contain("limit");
        server.Fixtures.List().Should().HaveCount(2);
        (await RuntimeServer.CompleteAsync(server.V1("beta"), "c")).Status.Should().Be(404);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("\"a string\"")]
    [InlineData("{\"completions\": [{\"match\": {\"prompt\": \"x\"}, \"tokens\": [\"y\"], \"fault\": \"bogus\"}]}")]
    [InlineData("{\"completions\": [{\"match\": {\"prompt\": \"x\"}, \"tokens\": [{\"text\": \"y\", \"logprob\": 1e400}]}]}")]
    [InlineData("{\"chat\": [{\"match\": {\"user\": \"x\", \"turn\": 99999999999}, \"tokens\": [\"y\"]}]}")]
    [InlineData("{\"chat\": [{\"match\": {\"user\": \"x\"}, \"tool_calls\": [{\"name\": \"f\", \"arguments\": \"not json\"}]}]}")]
    [InlineData("DEEP")]
    public async Task An_odd_document_is_a_400_never_a_500(string document)
    {
        await using var server = await RuntimeServer.StartAsync(o => o.EnableAdmin = true);
        var body = document == "DEEP" ? new string('[', 200) + new string(']', 200) : document;

        var answer = await Answer.SendAsync(server.Root(), HttpMethod.Post, "admin/fixtures", body);

        answer.Status.Should().Be(400, answer.Body);
        answer.Error.GetProperty("code").GetString().Should().Be("invalid_fixture");
        server.Fixtures.List().Should().BeEmpty();
    }

    [Fact]
    public async Task A_body_that_is_not_json_text_is_refused_before_the_loader()
    {
        await using var server = await RuntimeServer.StartAsync(o => o.EnableAdmin = true);
        var root = server.Root();

        using var plain = new StringContent(RuntimeServer.Completion("x", " y"));
        plain.Headers.ContentType = new MediaTypeHeaderValue("text/plain");
        using var wrongType = await root.PostAsync("admin/fixtures", plain);
        using var latin1 = new ByteArrayContent([(byte)'{', (byte)'"', 0xE9, (byte)'"', (byte)':', (byte)'1', (byte)'}']);
        latin1.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var notUtf8 = await root.PostAsync("admin/fixtures", latin1);

        ((int)wrongType.StatusCode).Should().Be(400);
        (await wrongType.Content.ReadAsStringAsync()).Should().Contain("unsupported_media_type");
        ((int)notUtf8.StatusCode).Should().Be(400);
        (await notUtf8.Content.ReadAsStringAsync()).Should().Contain("invalid_json").And.Contain("UTF-8");
        server.Fixtures.List().Should().BeEmpty();
    }

    [Fact]
    public async Task The_routes_are_off_unless_admin_is_enabled()
    {
        await using var server = await RuntimeServer.StartAsync();
        var root = server.Root();

        var post = await Answer.SendAsync(root, HttpMethod.Post, "admin/fixtures", RuntimeServer.Completion("x", " y"));
        var get = await Answer.SendAsync(root, HttpMethod.Get, "admin/fixtures");
        var delete = await Answer.SendAsync(root, HttpMethod.Delete, "admin/fixtures");

        post.Status.Should().Be(404, post.Body);
        get.Status.Should().Be(404);
        delete.Status.Should().Be(404);
        server.Fixtures.List().Should().BeEmpty();
        server.Fixtures.Add(RuntimeServer.Completion("x", " y")).Id.Should().NotBeEmpty("in process they work without the routes");
    }

    [Theory]
    [InlineData(null, "missing_api_key")]
    [InlineData(V1Key, "invalid_api_key")]
    [InlineData("wrong-key", "invalid_api_key")]
    public async Task With_keys_configured_the_routes_take_the_admin_key(string? key, string code)
    {
        await using var server = await RuntimeServer.StartAsync(o =>
        {
            o.EnableAdmin = true;
            o.Keys.Add(new ApiKeyEntry(V1Key) { Name = "team" });
            o.AdminKey = AdminKey;
        });
        server.Fixtures.Add(RuntimeServer.Completion("kept", " kept"));

        var refusedPost = await Answer.SendAsync(server.Root(key: key), HttpMethod.Post, "admin/fixtures", RuntimeServer.Completion("x", " y"));
        var refusedGet = await Answer.SendAsync(server.Root(key: key), HttpMethod.Get, "admin/fixtures");
        var refusedDelete = await Answer.SendAsync(server.Root(key: key), HttpMethod.Delete, "admin/fixtures");
        var allowed = await Answer.SendAsync(server.Root(key: AdminKey), HttpMethod.Post, "admin/fixtures", RuntimeServer.Completion("x", " y"));

        foreach (var refused in new[] { refusedPost, refusedGet, refusedDelete })
        {
            refused.Status.Should().Be(401, refused.Body);
            refused.Error.GetProperty("code").GetString().Should().Be(code);
        }

        allowed.Status.Should().Be(200, allowed.Body);
        server.Fixtures.List().Should().HaveCount(2, "the refused requests added and removed nothing");
    }
}
