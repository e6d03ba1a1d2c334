using System.Net;
using System.Text;

namespace MockServer.WireMock.Tests;

/// <summary>
/// The team's own WireMock mappings keep answering on the same port, other <c>/v1</c> paths included, and the requests
/// the mock answered (only those) are in its journal.
/// </summary>
public sealed class MappingsAndJournalTests
{
    [Fact]
    public async Task The_teams_mapping_on_another_v1_path_still_answers_with_its_configured_body()
    {
        await using var env = await WireMockWithMock.StartAsync();
        using var client = env.Client();

        using var mapped = await client.PostAsync("embeddings", Json("""{"model":"team-embedder","input":"hi"}"""));
        using var unmapped = await client.GetAsync("files");

        mapped.StatusCode.Should().Be(HttpStatusCode.OK);
        (await mapped.Content.ReadAsStringAsync()).Should().Be(WireMockWithMock.UserBody);
        // A path neither serves is WireMock's to answer, with its own 404, not the mock's error envelope.
        unmapped.StatusCode.Should().Be(HttpStatusCode.NotFound);
        (await unmapped.Content.ReadAsStringAsync()).Should().Contain("No matching mapping found").And.NotContain("\"error\"");
        env.Server.LogEntries.Select(e => e.RequestMessage.Path).Should().Equal("/v1/embeddings", "/v1/files");
    }

    [Fact]
    public async Task The_journal_holds_the_requests_the_mock_answered_and_not_the_teams()
    {
        await using var env = await WireMockWithMock.StartAsync();
        using var client = env.Client();

        using var models = await client.GetAsync("models");
        using var chat = await client.PostAsync("chat/completions", Json("""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"Hi"}],"max_tokens":3,"stream":true}"""));
        using var missing = await client.GetAsync("models/no-such-model");
        using var mapped = await client.PostAsync("embeddings", Json("""{"model":"team-embedder","input":"hi"}"""));
        (await chat.Content.ReadAsStringAsync()).Should().EndWith("data: [DONE]\n\n");

        var entries = await env.Mock.Journal.WaitForAsync(3).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard, never reached when the behaviour holds
        entries.Select(e => (e.Method, e.Path, e.Status)).Should().Equal(
            ("GET", "/v1/models", 200),
            ("POST", "/v1/chat/completions", 200),
            ("GET", "/v1/models/no-such-model", 404));
        entries[1].Stream.Should().BeTrue();
        entries[1].Done.Should().BeTrue();
        entries[1].Model.Should().Be("llama-8b-instruct");
        // The mock's requests are its own: WireMock saw only the one its mapping answered.
        env.Server.LogEntries.Select(e => e.RequestMessage.Path).Should().Equal("/v1/embeddings");
    }

    [Fact]
    public async Task Reset_empties_the_journal_and_drops_run_time_fixtures_so_tests_sharing_the_server_do_not_see_each_other()
    {
        await using var env = await WireMockWithMock.StartAsync();
        using var client = env.Client();
        env.Mock.Fixtures.Add("""{"completions":[{"name":"shared","match":{"model":"llama-8b","prompt":"Shared server?"},"tokens":[" Scripted"]}]}""");
        using (var scripted = await client.PostAsync("completions", Json("""{"model":"llama-8b","prompt":"Shared server?","max_tokens":1}""")))
        {
            (await scripted.Content.ReadAsStringAsync()).Should().Contain("\"text\":\" Scripted\"");
        }

        await env.Mock.Journal.WaitForAsync(1).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard, never reached when the behaviour holds
        env.Mock.Reset();

        env.Mock.Journal.Entries().Should().BeEmpty();
        env.Mock.Fixtures.List().Should().BeEmpty();
        using var after = await client.PostAsync("completions", Json("""{"model":"llama-8b","prompt":"Shared server?","max_tokens":1}"""));
        (await after.Content.ReadAsStringAsync()).Should().NotContain("\"text\":\" Scripted\"", "the fixture went with the reset");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
