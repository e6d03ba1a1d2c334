namespace MockServer.Tests;

public sealed class SmokeTests
{
    [Fact]
    public async Task RunAsync_placeholder()
    {
        (await MockServer.Hosting.MockLlmServer.RunAsync([])).Should().Be(0);
    }
}
