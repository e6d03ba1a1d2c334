using Conformance.Checks;
using Conformance.Profiles;
using MockServer.Hosting;

namespace Conformance.Tests.Checks;

/// <summary>The real MockServer, in process with a bearer key, meets every check of the acs profile it emulates.</summary>
public sealed class MockServerConformanceTests : EndpointConformanceTests
{
    /// <summary>
    /// The real-server dialects on the diagonal (issue 9): the mock under <c>--profile D</c> judged by the suite's profile
    /// D. Divergences are allowed (the profile expects them, and the report lists them); nothing may fail. A warning is
    /// allowed only where the profile itself lowers a rule to SHOULD because spec-facts does not record what that server
    /// does (llama.cpp's <c>stream_options</c> without <c>stream</c>, §12.1: the mock ignores it, as llama.cpp reads
    /// only what it uses).
    /// </summary>
    public static TheoryData<string, string> Targets => new()
    {
        { "vllm", "llama-8b" },
        { "llamacpp", "llama-8b" },
    };

    [Theory]
    [MemberData(nameof(Targets))]
    public async Task The_mock_passes_every_check_under_the_dialect_it_serves(string profile, string model)
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key }, Profile = profile });
        var options = Suite.Options(server.BaseUrl);
        options.ApiKey = Suite.Key;
        options.Model = model;
        options.Profile = profile;

        var report = await ConformanceRunner.RunAsync(options);

        report.Checks.Should().HaveCount(Catalogue.All.Count);
        var declared = BuiltInProfiles.All[profile];
        report.Checks.Where(c => c.Verdict is not (Verdict.Pass or Verdict.NotApplicable or Verdict.Divergence)
                && !(c.Verdict == Verdict.Warn && declared.LevelFor(c.Id) == CheckLevel.Should))
            .Select(c => $"{c.Id}: {c.Verdict} {c.Message} | expected {c.Evidence?.Expected} | seen {c.Evidence?.Seen} | {c.Evidence?.Excerpt}")
            .Should().BeEmpty();
        report.Succeeded.Should().BeTrue();
    }

    protected override async Task<ConformanceTarget> StartTargetAsync()
    {
        var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        return new ConformanceTarget(server.BaseUrl, Suite.Key, "llama-8b", server);
    }
}
