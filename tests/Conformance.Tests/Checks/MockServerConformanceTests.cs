using MockServer.Hosting;

namespace Conformance.Tests.Checks;

/// <summary>The real MockServer, in process with a bearer key, meets every check of the acs profile it emulates.</summary>
public sealed class MockServerConformanceTests : EndpointConformanceTests
{
    protected override async Task<ConformanceTarget> StartTargetAsync()
    {
        var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Suite.Key } });
        return new ConformanceTarget(server.BaseUrl, Suite.Key, "llama-8b", server);
    }
}
