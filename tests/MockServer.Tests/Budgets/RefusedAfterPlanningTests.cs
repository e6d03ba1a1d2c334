using MockServer.Budgets;

namespace MockServer.Tests.Budgets;

/// <summary>
/// A chat request the mock cannot answer (a JSON Schema it cannot satisfy, 400 <c>unsupported_schema</c>) is refused
/// like any bad field: before admission, so it is neither charged nor counted against the key's limits.
/// </summary>
public sealed class RefusedAfterPlanningTests
{
    private const string Key = "sk-schema-refused-0001";

    [Fact]
    public async Task An_unsatisfiable_schema_is_a_400_that_costs_the_key_nothing()
    {
        await using var server = await KeyedServer.StartAsync(new ApiKeyEntry(Key) { Name = "team", Limits = new KeyLimits(TokenBudget: 100_000, RequestsPerMinute: 5) });
        var v1 = server.V1(Key);
        const string Json = """
            {"model":"llama-8b-instruct","messages":[{"role":"user","content":"A number"}],
             "response_format":{"type":"json_schema","json_schema":{"name":"n","schema":{"type":"object","properties":{"x":{"type":"number","multipleOf":1e29}},"required":["x"]}}}}
            """;

        var refused = await Answer.PostAsync(v1, "chat/completions", Json);

        refused.Status.Should().Be(400, refused.Body);
        refused.Error.GetProperty("code").GetString().Should().Be("unsupported_schema");
        refused.Header("x-ratelimit-remaining-requests").Should().BeNull("the request was never admitted");
        server.Server.Keys.Get("team").Should().BeEquivalentTo(new { Requests = 0L, PromptTokens = 0L, CompletionTokens = 0L, ReservedTokens = 0L });
    }
}
