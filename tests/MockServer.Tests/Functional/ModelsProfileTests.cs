using System.Text.Json;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Functional;

/// <summary><c>--profile NAME</c> / <see cref="MockServerOptions.Profile"/>: one chat dialect for every served model.</summary>
public sealed class ModelsProfileTests
{
    [Theory]
    [InlineData("openai")]
    [InlineData("llmbase")]
    [InlineData("LLMBase")]
    public async Task A_profile_overrides_the_dialect_of_every_model(string profile)
    {
        await using var mock = await MockLlmServer.StartAsync(new MockServerOptions { Profile = profile });
        using var client = Api.ClientFor(mock);

        var dialects = await Dialects(client);

        dialects.Values.Should().HaveCount(5).And.OnlyContain(d => string.Equals(d, profile, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task Without_a_profile_each_model_keeps_its_own_dialect()
    {
        await using var mock = await MockLlmServer.StartAsync();
        using var client = Api.ClientFor(mock);

        var dialects = await Dialects(client);

        dialects["deepseek/deepseek-v4-flash"].Should().Be("llmbase");
        dialects["llama-8b-instruct"].Should().Be("openai");
        dialects["llama-8b"].Should().Be("acs");
    }

    [Theory]
    [InlineData("opnai", "did you mean 'openai'?")]
    [InlineData("tgi", "the mock serves acs, llmbase, openai, vllm, llamacpp")]
    public async Task An_unknown_profile_stops_the_start_with_the_known_names(string profile, string expected)
    {
        var start = () => MockLlmServer.StartAsync(new MockServerOptions { Profile = profile });

        var error = (await start.Should().ThrowAsync<ArgumentException>()).Which.Message;

        error.Should().StartWith($"unknown profile '{profile}'").And.Contain(expected).And.Contain("acs, llmbase, openai, vllm, llamacpp");
    }

    [Fact]
    public async Task The_profile_flag_is_read_from_the_command_line_and_an_unknown_one_exits_with_2()
    {
        CommandLineArguments.Check(["--profile", "openai"]);
        CommandLineArguments.Check(["--MockServer:Profile", "openai"]);
        CommandLineArguments.Usage.Should().Contain("--profile NAME");

        var exitCode = await MockLlmServer.RunAsync(["--urls", "http://127.0.0.1:0", "--profile", "opnai"]);

        exitCode.Should().Be(2);
    }

    [Fact]
    public void A_misspelled_profile_flag_gets_its_did_you_mean()
    {
        var act = () => CommandLineArguments.Check(["--profiles", "openai"]);

        act.Should().Throw<ArgumentException>().Which.Message.Should().Contain("did you mean '--profile'?");
    }

    private static async Task<Dictionary<string, string>> Dialects(HttpClient client)
    {
        var body = await client.GetStringAsync("models?metadata=true");
        return JsonDocument.Parse(body).RootElement.GetProperty("data").EnumerateArray()
            .ToDictionary(m => m.GetProperty("id").GetString()!, m => m.GetProperty("metadata").GetProperty("dialect").GetString()!);
    }
}
