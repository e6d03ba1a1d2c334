using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>Issue 6, "Probes that cannot run away": a probe a lenient server may answer without end costs a few tokens.</summary>
public sealed class BoundedProbeTests
{
    [Fact]
    public async Task RunAsync_ServerThatGeneratesUntilItsContextIsFull_CostsAFewTokensPerProbe()
    {
        // Arrange: max_tokens -1, 0, true, false, "16", null or absent each mean "until the 131,072-token context is full".
        var fake = new FakeServerOptions { RunawayMaxTokens = true };
        await using var server = await FakeAcsServer.StartAsync(fake);
        var options = Suite.Options(server.BaseUrl);

        // No cap of the client's may stand in for the bound: without it a probe would be read to the end of the context.
        options.MaxStreamEvents = int.MaxValue;
        options.MaxBodyBytes = int.MaxValue;

        // Act
        var report = await ConformanceRunner.RunAsync(options);

        // Assert: every runaway probe was streamed and left after a few events, so the server stopped generating.
        var runaways = new[] { "validation.boolean.max_tokens.true", "validation.boolean.max_tokens.false", "validation.numeric-string.max_tokens", "validation.range.max_tokens-zero", "validation.range.max_tokens-negative" };
        server.RunawayNonStreamed.Should().Be(0, "no probe asks for the whole context in one body");
        server.RunawayStreams.Should().Be(runaways.Length);
        server.RunawaysToContext.Should().Be(0, "every runaway stream was abandoned before the context was full");
        server.RunawayTokensProduced.Should().BeLessThan(runaways.Length * 2_000L, "the server stops at its next write once the client leaves");
        report.Usage.TokensSpent.Should().BeLessThan(4_000);
        foreach (var id in runaways)
        {
            var check = report.Checks.Single(c => c.Id == id);
            check.Verdict.Should().Be(Verdict.Fail, "the lenient server accepted the probe");
            check.Message.Should().Contain("(the request was accepted)");
            check.Evidence!.Excerpt.Should().Contain("abandoned after 3 event(s)");
        }
    }
}
