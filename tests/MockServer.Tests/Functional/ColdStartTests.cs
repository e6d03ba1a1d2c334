using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;
using OpenAI;
using OpenAI.Chat;

namespace MockServer.Tests.Functional;

/// <summary>
/// Models declared <c>cold</c> in fixtures (issue 8, "Cold starts"): the first request starts a boot and gets 503 with
/// <c>Retry-After</c>, requests during the boot get the time that remains, then the model serves until it idles.
/// Every step runs on a fake clock the test advances; nothing sleeps.
/// </summary>
public sealed class ColdStartTests
{
    private const string ColdBase = "cold-base";
    private const string ColdChat = "cold-chat";

    private const string ColdModels = """
        {"models": [
          {"id": "cold-base", "root": "meta-llama/Llama-3.1-8B", "cold": {"boot_seconds": 30, "idle_seconds": 600}},
          {"id": "cold-chat", "root": "meta-llama/Llama-3.1-8B-Instruct", "chat_template": "llama3", "cold": {"boot_seconds": 4.2}}
        ]}
        """;

    private static async Task<(MockLlmServer Server, HttpClient Http, FakeTimeProvider Clock)> StartAsync()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new MockServerOptions { TimeProvider = clock };
        options.Fixtures.Add(new FixtureDocument("cold-models.json", ColdModels));
        var server = await MockLlmServer.StartAsync(options);
        return (server, Api.ClientFor(server), clock);
    }

    private static string Completion(string model) => $$"""{"model":"{{model}}","prompt":"Hello","max_tokens":3,"seed":1}""";

    private static string Chat(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"Hello"}],"max_tokens":3,"seed":1}""";

    private static async Task<(int Status, string? RetryAfter, string Body)> PostAsync(HttpClient http, string path, string json)
    {
        using var response = await http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
        var retryAfter = response.Headers.TryGetValues("Retry-After", out var values) ? string.Join(",", values) : null;
        return ((int)response.StatusCode, retryAfter, await response.Content.ReadAsStringAsync());
    }

    private static JsonElement LoadingError(string body)
    {
        body.ShouldConformTo(Schemas.Error);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error").Clone();
        error.GetProperty("type").GetString().Should().Be("unavailable_error");
        error.GetProperty("code").GetString().Should().Be("model_loading");
        return error;
    }

    [Fact]
    public async Task First_request_starts_the_boot_and_gets_503_with_the_boot_time()
    {
        var (server, http, _) = await StartAsync();
        await using var _s = server;
        using var _h = http;

        var (status, retryAfter, body) = await PostAsync(http, "completions", Completion(ColdBase));

        status.Should().Be(503, body);
        retryAfter.Should().Be("30");
        LoadingError(body).GetProperty("message").GetString().Should().Contain("'cold-base' is loading").And.Contain("30 seconds");
    }

    [Fact]
    public async Task Requests_during_the_boot_get_the_remaining_whole_seconds_then_the_model_serves()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;
        (await PostAsync(http, "completions", Completion(ColdBase))).Status.Should().Be(503);

        clock.Advance(TimeSpan.FromSeconds(12.5));
        var mid = await PostAsync(http, "completions", Completion(ColdBase));
        mid.Status.Should().Be(503);
        mid.RetryAfter.Should().Be("18", "17.5 s remain, rounded up");
        LoadingError(mid.Body).GetProperty("message").GetString().Should().Contain("18 seconds");

        clock.Advance(TimeSpan.FromSeconds(17.3));
        var last = await PostAsync(http, "completions", Completion(ColdBase));
        last.Status.Should().Be(503, "0.2 s of the boot remain");
        last.RetryAfter.Should().Be("1", "never below one second");
        LoadingError(last.Body).GetProperty("message").GetString().Should().Contain("1 second.");

        clock.Advance(TimeSpan.FromSeconds(0.2));
        var served = await PostAsync(http, "completions", Completion(ColdBase));
        served.Status.Should().Be(200, served.Body);
        served.RetryAfter.Should().BeNull();
    }

    [Fact]
    public async Task A_cold_chat_model_boots_and_then_serves_chat()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;

        var first = await PostAsync(http, "chat/completions", Chat(ColdChat));
        first.Status.Should().Be(503, first.Body);
        first.RetryAfter.Should().Be("5", "4.2 s rounded up");
        LoadingError(first.Body);

        clock.Advance(TimeSpan.FromSeconds(4.2));
        var served = await PostAsync(http, "chat/completions", Chat(ColdChat));
        served.Status.Should().Be(200, served.Body);
        JsonDocument.Parse(served.Body).RootElement.GetProperty("object").GetString().Should().Be("chat.completion");
    }

    [Fact]
    public async Task After_idle_seconds_without_a_request_the_model_is_cold_again()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;
        await PostAsync(http, "completions", Completion(ColdBase));
        clock.Advance(TimeSpan.FromSeconds(30));
        (await PostAsync(http, "completions", Completion(ColdBase))).Status.Should().Be(200);

        // A served request restarts the idle time, so 599 s and then another 599 s keep it warm.
        clock.Advance(TimeSpan.FromSeconds(599));
        (await PostAsync(http, "completions", Completion(ColdBase))).Status.Should().Be(200);
        clock.Advance(TimeSpan.FromSeconds(599));
        (await PostAsync(http, "completions", Completion(ColdBase))).Status.Should().Be(200);

        clock.Advance(TimeSpan.FromSeconds(600));
        var cold = await PostAsync(http, "completions", Completion(ColdBase));
        cold.Status.Should().Be(503, "600 s passed without a request");
        cold.RetryAfter.Should().Be("30", "a new boot started");

        clock.Advance(TimeSpan.FromSeconds(30));
        (await PostAsync(http, "completions", Completion(ColdBase))).Status.Should().Be(200);
    }

    [Fact]
    public async Task Without_idle_seconds_a_booted_model_stays_warm()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;
        await PostAsync(http, "chat/completions", Chat(ColdChat));
        clock.Advance(TimeSpan.FromDays(400));
        (await PostAsync(http, "chat/completions", Chat(ColdChat))).Status.Should().Be(200);
    }

    [Fact]
    public async Task An_invalid_request_to_a_cold_model_gets_its_400_and_starts_no_boot()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;

        var invalid = await PostAsync(http, "completions", """{"model":"cold-base","prompt":"Hello","max_tokens":-1}""");
        invalid.Status.Should().Be(400, invalid.Body);
        invalid.RetryAfter.Should().BeNull();
        var invalidChat = await PostAsync(http, "chat/completions", """{"model":"cold-chat","messages":[]}""");
        invalidChat.Status.Should().Be(400, invalidChat.Body);

        // Had either started a boot, it would be over by now and these would be served.
        clock.Advance(TimeSpan.FromSeconds(60));
        var first = await PostAsync(http, "completions", Completion(ColdBase));
        first.Status.Should().Be(503);
        first.RetryAfter.Should().Be("30");
        (await PostAsync(http, "chat/completions", Chat(ColdChat))).Status.Should().Be(503);
    }

    [Fact]
    public async Task Warm_models_are_unaffected_while_a_cold_one_boots()
    {
        var (server, http, _) = await StartAsync();
        await using var _s = server;
        using var _h = http;
        (await PostAsync(http, "completions", Completion(ColdBase))).Status.Should().Be(503);

        (await PostAsync(http, "completions", Completion("llama-8b"))).Status.Should().Be(200);
        (await PostAsync(http, "chat/completions", Chat("llama-8b-instruct"))).Status.Should().Be(200);
        (await PostAsync(http, "completions", """{"model":"cold-base","prompt":"Hello","max_tokens":3,"stream":true}""")).Status.Should().Be(503, "streams are gated before the first byte too");
    }

    [Fact]
    public async Task The_OpenAI_SDK_waits_Retry_After_with_its_own_retry_policy_and_gets_the_completion()
    {
        var (server, http, clock) = await StartAsync();
        await using var _s = server;
        using var _h = http;
        var policy = new FakeClockRetryPolicy(clock);
        var client = new ChatClient(ColdChat, new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = server.BaseUrl, RetryPolicy = policy });

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 5 });

        policy.Delays.Should().ContainSingle("one 503, then the booted model answers")
            .Which.Should().BeGreaterThanOrEqualTo(TimeSpan.FromSeconds(5), "the SDK honours Retry-After: 5");
        completion.Content.Should().ContainSingle().Which.Text.Should().NotBeEmpty();
        completion.FinishReason.Should().BeOneOf(ChatFinishReason.Stop, ChatFinishReason.Length);
    }

    [Theory]
    [InlineData("""{"boot_seconds": 0}""", "$.models[0].cold.boot_seconds", "0 is too small; it must be more than 0")]
    [InlineData("""{"boot_seconds": -3}""", "$.models[0].cold.boot_seconds", "-3 is too small; it must be more than 0")]
    [InlineData("""{"boot_seconds": 1e9}""", "$.models[0].cold.boot_seconds", "is too large; it must be at most 86400")]
    [InlineData("""{"boot_seconds": 99999999999999999999}""", "$.models[0].cold.boot_seconds", "99999999999999999999 is too large; it must be at most 9223372036854775807")]
    [InlineData("""{"boot_seconds": 5, "idle_seconds": 0}""", "$.models[0].cold.idle_seconds", "0 is too small; it must be more than 0")]
    [InlineData("""{"idle_seconds": 5}""", "$.models[0].cold", "required property 'boot_seconds' is missing")]
    [InlineData("""{"boot_seconds": "5"}""", "$.models[0].cold.boot_seconds", "it must be a number, not '5'")]
    [InlineData("""{"boot_seconds": 5, "boot": 1}""", "$.models[0].cold", "property 'boot' is not allowed")]
    public async Task A_bad_cold_block_stops_the_start_naming_file_path_and_line(string cold, string path, string reason)
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(new FixtureDocument("cold.json", $$"""{"models": [{"id": "m", "root": "r", "cold": {{cold}}}]}"""));

        var start = () => MockLlmServer.StartAsync(options);

        var error = (await start.Should().ThrowAsync<FixtureLoadException>()).Which;
        error.Message.Should().Contain("'cold.json'").And.Contain($" at {path}").And.Contain(reason).And.Contain("(line 1, position");
    }

    [Fact]
    public async Task The_README_cold_model_example_loads_and_boots()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
        {
            dir = dir.Parent;
        }

        var readme = await File.ReadAllTextAsync(Path.Combine(dir!.FullName, "README.md"));
        var section = readme[readme.IndexOf("### Cold models", StringComparison.Ordinal)..];
        var start = section.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        var example = section[start..section.IndexOf("```", start, StringComparison.Ordinal)];
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new MockServerOptions { TimeProvider = clock };
        options.Fixtures.Add(new FixtureDocument("readme-cold.json", example));
        await using var server = await MockLlmServer.StartAsync(options);
        using var http = Api.ClientFor(server);

        var first = await PostAsync(http, "chat/completions", Chat("big-cold"));
        first.Status.Should().Be(503, first.Body);
        first.RetryAfter.Should().Be("20");
        clock.Advance(TimeSpan.FromSeconds(20));
        (await PostAsync(http, "chat/completions", Chat("big-cold"))).Status.Should().Be(200);
        clock.Advance(TimeSpan.FromSeconds(300));
        (await PostAsync(http, "chat/completions", Chat("big-cold"))).Status.Should().Be(503, "idle_seconds 300 passed");
    }
}
