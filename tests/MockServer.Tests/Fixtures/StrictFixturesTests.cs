using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using MockServer.Budgets;
using MockServer.Endpoints;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Journal;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Fixtures;

/// <summary>
/// Strict fixtures (issue 9): a request no fixture matches gets 404 <c>fixture_not_found</c> naming its near misses,
/// before admission, while matched requests are served as ever; without it the synthetic model answers, and the near
/// misses go to the request's journal scratch either way.
/// </summary>
public sealed class StrictFixturesTests
{
    private const string Key = "sk-strict-fixtures-key-0001";

    private const string Scripts = """
        {"completions":[
          {"name":"ping","match":{"model":"base-b","prompt":"ping"},"tokens":[" pong"]},
          {"name":"capital","match":{"model":"base-a","prompt":"The capital of France is"},"tokens":[" Paris"]}],
         "chat":[
          {"name":"weather","match":{"user":"Weather in Paris?"},"tokens":["Sunny"]},
          {"name":"call","match":{"user":"Call it"},"tool_calls":[{"name":"lookup","arguments":{}}]}]}
        """;

    [Fact]
    public async Task Strict_completions_refuse_an_unmatched_prompt_with_its_near_misses_and_serve_a_matched_one()
    {
        await using var server = await StartAsync(strict: true);
        using var client = Client(server);

        var error = await client.ErrorAsync("""{"model":"base-a","prompt":"ping","max_tokens":2}""", status: 404);

        error.GetProperty("code").GetString().Should().Be("fixture_not_found");
        error.GetProperty("type").GetString().Should().Be("invalid_request_error");
        var message = error.GetProperty("message").GetString()!;
        message.Should().StartWith("No fixture matches this request and strict fixtures are on")
            .And.Contain("(1) fixture 'ping' (scripts.json $.completions[0]): model differs: the fixture is for 'base-b', the request is for 'base-a'.")
            .And.Contain("(2) fixture 'capital'").And.Contain("prompt differs at character 0");

        var (status, body, json) = await client.CompleteAsync("""{"model":"base-a","prompt":"The capital of France is","max_tokens":2}""");
        status.Should().Be(200, body);
        json.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" Paris");
    }

    [Fact]
    public async Task Strict_mode_names_the_unmatched_prompt_of_a_batch()
    {
        await using var server = await StartAsync(strict: true);
        using var client = Client(server);

        var error = await client.ErrorAsync("""{"model":"base-a","prompt":["The capital of France is","The capital of Spain is"],"max_tokens":2}""", status: 404);

        error.GetProperty("message").GetString().Should().StartWith("No fixture matches prompt[1] and strict fixtures are on")
            .And.Contain("prompt differs at character 15");
    }

    [Fact]
    public async Task Strict_mode_explains_each_unmatched_prompt_of_a_batch()
    {
        await using var server = await StartAsync(strict: true);
        using var client = Client(server);

        var error = await client.ErrorAsync("""{"model":"base-a","prompt":["ping","The capital of France is","The capital of Spain is"],"max_tokens":2}""", status: 404);

        error.GetProperty("message").GetString().Should().StartWith("No fixture matches prompt[0], prompt[2] and strict fixtures are on")
            .And.Contain("prompt[0]: closest: (1) fixture 'ping' (scripts.json $.completions[0]): model differs")
            .And.Contain("prompt[2]: closest: (1) fixture 'capital' (scripts.json $.completions[1]): prompt differs at character 15")
            .And.NotContain("prompt[1]");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_journal_explains_each_unmatched_prompt_of_a_batch_up_to_a_bound(bool strict)
    {
        await using var server = await StartAsync(strict);
        var prompts = string.Join(",", Enumerable.Range(0, 10).Select(i => $"\"The capital of Spain {i}\""));

        var pair = await HandleAsync<CompletionsEndpoint>(server, """{"model":"base-a","prompt":["The capital of France is","ping"],"max_tokens":2}""");
        var many = await HandleAsync<CompletionsEndpoint>(server, $$"""{"model":"base-a","prompt":[{{prompts}}],"max_tokens":2}""");

        pair.Scratch.NearMisses.Should().Contain("prompt[1]: fixture 'ping' (scripts.json $.completions[0]): model differs: the fixture is for 'base-b', the request is for 'base-a'")
            .And.NotContain(m => m.StartsWith("prompt[0]", StringComparison.Ordinal));
        var explained = many.Scratch.NearMisses.Select(m => m.IndexOf(':', StringComparison.Ordinal) is var colon and >= 0 ? m[..colon] : m).Distinct().ToList();
        explained.Should().Equal([.. Enumerable.Range(0, FixtureMisses.MaxExplainedParts).Select(i => $"prompt[{i}]"), "prompt[8] and 1 more unmatched prompt not explained (at most 8 are)"]);
    }

    [Fact]
    public async Task Strict_chat_refuses_an_unmatched_conversation_and_a_fixture_it_cannot_use_and_serves_a_matched_one()
    {
        await using var server = await StartAsync(strict: true);
        using var client = Client(server);

        var (status, body) = await ChatAsync(client, """{"model":"chat-a","messages":[{"role":"user","content":"Weather in Rome?"}]}""");
        status.Should().Be(404, body);
        body.ShouldConformTo(Schemas.Error);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        error.GetProperty("code").GetString().Should().Be("fixture_not_found");
        error.GetProperty("message").GetString().Should().Contain("fixture 'weather' (scripts.json $.chat[0]): last user message differs at character 11");

        (status, body) = await ChatAsync(client, """{"model":"chat-a","messages":[{"role":"user","content":"Call it"}]}""");
        status.Should().Be(404, body);
        body.Should().Contain("the fixture calls 'lookup', but the request declares no tools");

        (status, body) = await ChatAsync(client, """{"model":"chat-a","messages":[{"role":"user","content":"Weather in Paris?"}]}""");
        status.Should().Be(200, body);
        JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString().Should().Be("Sunny");
    }

    [Theory]
    [InlineData("""[{"type":"function","function":{"name":"other"}}]""", "\"auto\"", "the fixture calls 'lookup', which the request's tools do not declare ('other')")]
    [InlineData("""[{"type":"function","function":{"name":"lookup"}}]""", "\"none\"", "the fixture calls tools, but the request's tool_choice is 'none'")]
    [InlineData("""[{"type":"function","function":{"name":"lookup"}},{"type":"function","function":{"name":"other"}}]""", """{"type":"function","function":{"name":"other"}}""", "the fixture calls 'lookup', but the request's tool_choice names 'other'")]
    public async Task A_tool_call_fixture_the_request_does_not_allow_says_why(string tools, string toolChoice, string reason)
    {
        await using var server = await StartAsync(strict: true);
        using var client = Client(server);

        var (status, body) = await ChatAsync(client, $$"""{"model":"chat-a","messages":[{"role":"user","content":"Call it"}],"tools":{{tools}},"tool_choice":{{toolChoice}}}""");

        status.Should().Be(404, body);
        JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("message").GetString().Should().Contain($"(1) fixture 'call' (scripts.json $.chat[1]): {reason}.");
    }

    [Fact]
    public async Task Without_strict_mode_the_synthetic_model_answers_an_unmatched_request()
    {
        await using var server = await StartAsync(strict: false);
        using var client = Client(server);

        var (status, body, json) = await client.CompleteAsync("""{"model":"base-a","prompt":"ping","max_tokens":2}""");
        status.Should().Be(200, body);
        json.GetProperty("choices")[0].GetProperty("text").GetString().Should().NotBeEmpty();

        var (chatStatus, chatBody) = await ChatAsync(client, """{"model":"chat-a","messages":[{"role":"user","content":"Weather in Rome?"}]}""");
        chatStatus.Should().Be(200, chatBody);
    }

    [Fact]
    public async Task A_refused_request_is_not_charged_to_its_key()
    {
        await using var server = await StartAsync(strict: true, o => o.Keys.Add(new ApiKeyEntry(Key) { Name = "team" }));
        using var client = Client(server);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Key);

        await client.ErrorAsync("""{"model":"base-a","prompt":"ping","max_tokens":2}""", status: 404);
        server.Keys.Get("team").Requests.Should().Be(0);
        server.Keys.Get("team").TotalTokens.Should().Be(0);

        (await client.CompleteAsync("""{"model":"base-a","prompt":"The capital of France is","max_tokens":2}""")).Status.Should().Be(200);
        server.Keys.Get("team").Requests.Should().Be(1, "the key is counted: the refusal above was not for want of counting");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_near_misses_of_an_unmatched_request_reach_its_journal_scratch(bool strict)
    {
        await using var server = await StartAsync(strict);

        var completion = await HandleAsync<CompletionsEndpoint>(server, """{"model":"base-a","prompt":"ping","max_tokens":2}""");
        var chat = await HandleAsync<ChatCompletionsEndpoint>(server, """{"model":"chat-a","messages":[{"role":"user","content":"Weather in Rome?"}]}""");
        var matched = await HandleAsync<CompletionsEndpoint>(server, """{"model":"base-a","prompt":"The capital of France is","max_tokens":2}""");

        completion.Status.Should().Be(strict ? 404 : 200);
        completion.Scratch.NearMisses.Should().HaveCount(2);
        completion.Scratch.NearMisses[0].Should().Be("fixture 'ping' (scripts.json $.completions[0]): model differs: the fixture is for 'base-b', the request is for 'base-a'");
        chat.Scratch.NearMisses.Should().ContainSingle(m => m.StartsWith("fixture 'weather'", StringComparison.Ordinal))
            .Which.Should().Contain("last user message differs at character 11");
        matched.Status.Should().Be(200);
        matched.Scratch.NearMisses.Should().BeEmpty("a matched request has no near misses");
    }

    private static async Task<MockLlmServer> StartAsync(bool strict, Action<MockServerOptions>? configure = null)
    {
        var options = new MockServerOptions { IncludeDefaultFixtures = false, StrictFixtures = strict };
        options.Fixtures.Add(new FixtureDocument("models.json", NearMissTests.Models));
        options.Fixtures.Add(new FixtureDocument("scripts.json", Scripts));
        configure?.Invoke(options);
        return await MockLlmServer.StartAsync(options);
    }

    private static HttpClient Client(MockLlmServer server) => Api.ClientFor(server);

    private static async Task<(int Status, string Body)> ChatAsync(HttpClient client, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("chat/completions", content);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Runs the server's own endpoint on a request carrying a <see cref="JournalScratch"/>, as the journal middleware
    /// gives every request, and returns what the handling wrote into it.
    /// </summary>
    private static async Task<(int Status, JournalScratch Scratch)> HandleAsync<TEndpoint>(MockLlmServer server, string json)
        where TEndpoint : class
    {
        var context = new DefaultHttpContext { RequestServices = server.Services };
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(json);
        context.Request.Body = new MemoryStream(bytes);
        context.Request.ContentLength = bytes.Length;
        context.Response.Body = new MemoryStream();
        var scratch = new JournalScratch();
        context.Features.Set(scratch);

        var endpoint = server.Services.GetRequiredService<TEndpoint>();
        await (endpoint switch
        {
            CompletionsEndpoint completions => completions.HandleAsync(context),
            ChatCompletionsEndpoint chat => chat.HandleAsync(context),
            _ => throw new ArgumentException("not a generation endpoint", nameof(TEndpoint)),
        });
        return (context.Response.StatusCode, scratch);
    }
}
