namespace MockServer.Hosting;

/// <summary>Entry point placeholder.</summary>
public static class MockLlmServer
{
    /// <summary>Runs the server until shut down.</summary>
    public static Task<int> RunAsync(string[] args) => Task.FromResult(args.Length);
}
