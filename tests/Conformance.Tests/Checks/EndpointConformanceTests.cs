using Conformance.Checks;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>The endpoint a conformance test runs against, and what ends its lifetime.</summary>
/// <param name="BaseUrl">Base URL including <c>/v1</c>.</param>
/// <param name="ApiKey">The key the endpoint accepts, or null for an open endpoint.</param>
/// <param name="Model">The model to request.</param>
/// <param name="Lifetime">Stops the endpoint.</param>
public sealed record ConformanceTarget(Uri BaseUrl, string? ApiKey, string Model, IAsyncDisposable Lifetime);

/// <summary>
/// One suite, several targets (STYLE.md §2.15): a subclass binds the target and every check must pass against it
/// under its profile. The MockServer binds here in-process as well:
/// <code>
/// protected override async Task&lt;ConformanceTarget&gt; StartTargetAsync()
/// {
///     var server = await MockServer.Hosting.MockLlmServer.StartAsync(new MockServer.Hosting.MockServerOptions { ApiKeys = { "test-key" } });
///     return new ConformanceTarget(server.BaseUrl, "test-key", "llama-8b", server);
/// }
/// </code>
/// </summary>
public abstract class EndpointConformanceTests
{
    /// <summary>Gets the profile the target must meet.</summary>
    protected virtual string Profile => "acs";

    protected abstract Task<ConformanceTarget> StartTargetAsync();

    [Fact]
    public async Task RunAsync_Target_PassesEveryCheck()
    {
        // Arrange
        var target = await StartTargetAsync();
        await using var lifetime = target.Lifetime;
        var options = Suite.Options(target.BaseUrl);
        options.ApiKey = target.ApiKey;
        options.Model = target.Model;
        options.Profile = Profile;

        // Act
        var report = await ConformanceRunner.RunAsync(options);

        // Assert
        report.Checks.Should().HaveCount(Catalogue.All.Count);
        report.Checks.Where(c => c.Verdict is not (Verdict.Pass or Verdict.NotApplicable))
            .Select(c => $"{c.Id}: {c.Verdict} {c.Message} | expected {c.Evidence?.Expected} | seen {c.Evidence?.Seen} | {c.Evidence?.Excerpt}")
            .Should().BeEmpty();
        report.Succeeded.Should().BeTrue();
        report.Usage.TokensSpent.Should().BeInRange(1, options.TokenBudget);
    }
}

/// <summary>The acs fake in its default, conformant configuration: the baseline every violation test departs from.</summary>
public sealed class FakeServerConformanceTests : EndpointConformanceTests
{
    protected override async Task<ConformanceTarget> StartTargetAsync()
    {
        var server = await FakeAcsServer.StartAsync();
        return new ConformanceTarget(server.BaseUrl, Suite.Key, FakeAcsServer.Model, server);
    }
}
