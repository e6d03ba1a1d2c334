using Conformance.Checks;
using Conformance.Profiles;
using MockServer.Hosting;

namespace Conformance.Tests.Checks;

/// <summary>
/// Self-conformance for chat (issue 7): the real MockServer, in process, passes every chat check, the opt-in tool probe
/// included, under the profile of each dialect it serves, both as each model's own dialect and with the dialect forced
/// for the whole server (<c>--profile</c>). The suite shares no code with the mock, so agreement means both read the
/// spec the same way.
/// </summary>
public sealed class MockServerChatConformanceTests
{
    public static TheoryData<string, string?, string> Targets => new()
    {
        { "llmbase", null, "deepseek/deepseek-v4-flash" }, // the seed provider's model, in its own dialect
        { "openai", null, "llama-8b-instruct" }, // the instruct model, in its own dialect
        { "acs", null, "llama-8b-instruct" }, // the strict provider's gateway answers chat as OpenAI does
        { "openai", "openai", "deepseek/deepseek-v4-flash" }, // --profile openai over a model declared llmbase
        { "llmbase", "llmbase", "llama-8b-instruct" }, // --profile llmbase over a model declared openai
        { "vllm", "vllm", "llama-8b-instruct" }, // raw vLLM (issue 9): finish on the last content delta, include_usage true in stream_options
        { "llamacpp", "llamacpp", "llama-8b-instruct" }, // llama.cpp (issue 9): role chunk content null, no usage key on content chunks
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task The_mock_passes_every_chat_check_under_the_dialect_it_serves(string profile, string? serverProfile, string model)
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key }, Profile = serverProfile });
        var options = Suite.ChatOptions(server.BaseUrl, profile, model);

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Should().HaveCount(Catalogue.All.Count(c => c.Id.StartsWith("chat.", StringComparison.Ordinal)));
        // Not applicable only where the profile itself declares the check out of scope (e.g. OpenAI has no top_k).
        var declared = BuiltInProfiles.All[profile];
        // A divergence is what the profile expects of that server (listed in the report), as long as the profile says so.
        report.Checks.Where(c => c.Verdict != Verdict.Pass
                && !(c.Verdict == Verdict.NotApplicable && declared.LevelFor(c.Id) == CheckLevel.NotApplicable)
                && !(c.Verdict == Verdict.Divergence && declared.LevelFor(c.Id) == CheckLevel.ExpectedDivergence))
            .Select(c => $"{c.Id}: {c.Verdict} {c.Message} | expected {c.Evidence?.Expected} | seen {c.Evidence?.Seen} | {c.Evidence?.Excerpt}")
            .Should().BeEmpty();
    }

    [Fact]
    public async Task A_dialect_the_suite_does_not_expect_fails_the_chat_checks_that_tell_them_apart()
    {
        // The same server and model as the first case, judged under the other dialect: the run must notice, or the
        // passes above would prove nothing about the dialects.
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        var options = Suite.Options(server.BaseUrl, "chat");
        options.ApiKey = Suite.Key;
        options.Model = "deepseek/deepseek-v4-flash";
        options.Profile = "openai";

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Where(c => c.Verdict == Verdict.Fail).Select(c => c.Id)
            .Should().Contain(["chat.stream.role-first", "chat.stream.usage.other-chunks"]);
    }
}
