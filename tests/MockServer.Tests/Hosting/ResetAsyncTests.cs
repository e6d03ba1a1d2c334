using MockServer.Budgets;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Hosting;

/// <summary>
/// <see cref="MockLlmServer.ResetAsync"/>: a stream an earlier test walked away from must not leave its journal entry or
/// its key's charge to the next test. The journal entry is added, and the key charged, only when a request ends.
/// </summary>
public sealed class ResetAsyncTests
{
    [Fact]
    public async Task A_stream_left_running_is_ended_and_lands_before_the_reset_not_in_the_next_test()
    {
        var options = new MockServerOptions();
        options.Keys.Add(new ApiKeyEntry("sk-team") { Name = "team" });
        var server = await MockLlmServer.StartAsync(options);
        var journal = server.Journal;
        var keys = server.Keys;
        using var http = Api.ClientFor(server);
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "sk-team");

        // The earlier test: a minute between tokens, it reads the first chunk and leaves the rest.
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions")
        {
            Content = new StringContent("""{"model":"llama-8b","prompt":"abandoned","max_tokens":5,"stream":true}""", System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-Mock-Timing", "ttft_ms=0;itl_ms=60000");
        var abandoned = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var body = await abandoned.Content.ReadAsStreamAsync();
        (await StreamReading.ReadUntilAsync(body, "\n\n")).Should().Contain("data:");

        // The next test's reset, while the client still holds the stream (its disposal may come later still).
        await server.ResetAsync();
        abandoned.Dispose();

        using var next = await http.PostAsync("completions", new StringContent("""{"model":"llama-8b","prompt":"next","max_tokens":2}""", System.Text.Encoding.UTF8, "application/json"));
        next.EnsureSuccessStatusCode();
        await journal.WaitForAsync(1);
        await server.DisposeAsync(); // every request has ended now: whatever would land has landed

        journal.Entries().Select(e => e.Stream).Should().Equal([false], "the abandoned stream's entry must not reach the next test");
        journal.Entries()[0].Sequence.Should().Be(1, "sequence numbers start again after a reset");
        keys.Get("team").Requests.Should().Be(1, "the abandoned stream must not be charged to the next test");
    }

    [Fact]
    public async Task Run_time_fixture_ids_start_again_and_an_old_handle_removes_only_its_own_document()
    {
        await using var server = await MockLlmServer.StartAsync();
        const string Doc = """{"completions": [{"match": {"model": "llama-8b", "prompt": "ping"}, "tokens": [" x"]}]}""";
        server.Fixtures.Add(Doc);
        using var old = server.Fixtures.Add(Doc);
        old.Id.Should().Be("fx-2");

        await server.ResetAsync();
        server.Fixtures.Add(Doc).Id.Should().Be("fx-1");
        var mine = server.Fixtures.Add(Doc);
        mine.Id.Should().Be("fx-2");

        old.Dispose();
        server.Fixtures.List().Select(d => d.Id).Should().Equal(["fx-1", "fx-2"], "the earlier test's handle must not remove the newer fx-2");
    }
}
