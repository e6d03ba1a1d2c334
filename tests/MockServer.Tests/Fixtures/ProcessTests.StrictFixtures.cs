using System.Text;

// Part of ProcessTests (its process helpers), kept with the fixture tests it belongs to.
namespace MockServer.Tests.Functional;

/// <summary>The strict-fixtures flag through the command line, as users run the server.</summary>
public sealed partial class ProcessTests
{
    [Fact]
    public async Task The_strict_fixtures_flag_refuses_unmatched_requests_and_still_serves_fixtures()
    {
        await using var server = await ServeAsync("--urls", "http://127.0.0.1:0", "--strict-fixtures", "true");

        using var unmatched = await server.Client.PostAsync("completions", Json("""{"model":"llama-8b","prompt":"No fixture has this","max_tokens":1}"""));
        using var matched = await server.Client.PostAsync("completions", Json("""{"model":"llama-8b","prompt":"The capital of France is","max_tokens":1}"""));

        ((int)unmatched.StatusCode).Should().Be(404);
        (await unmatched.Content.ReadAsStringAsync()).Should().Contain("fixture_not_found").And.Contain("docs-logprobs-capital-of-france");
        ((int)matched.StatusCode).Should().Be(200);
    }

    [Fact]
    public async Task A_strict_fixtures_value_that_is_not_a_boolean_exits_with_2()
    {
        var (exitCode, stderr) = await RunToExitAsync("--urls", "http://127.0.0.1:0", "--strict-fixtures", "yes");

        exitCode.Should().Be(2);
        stderr.Should().StartWith("MockServer cannot start: --strict-fixtures takes true or false");
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");
}
