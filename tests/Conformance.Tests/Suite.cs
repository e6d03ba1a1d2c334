using Conformance.Tests.Fakes;

namespace Conformance.Tests;

/// <summary>Runs the suite against a fake with short, test-sized bounds.</summary>
internal static class Suite
{
    public const string Key = "test-key";

    /// <summary>
    /// Checks that judge a behaviour only when the endpoint shows it on its own (a 429/503, a mid-stream error event,
    /// x-ratelimit-* headers): against a healthy server that never does, they are not applicable and say why.
    /// </summary>
    public static readonly string[] ObservedOnly = ["errors.retry-after", "errors.stream-error-event", "limits.ratelimit-headers"];

    public static ConformanceOptions Options(Uri baseUrl, params string[] only)
    {
        var options = new ConformanceOptions
        {
            BaseUrl = baseUrl,
            ApiKey = Key,
            Model = FakeAcsServer.Model,
            // Generous for a loaded 2-core machine; a healthy fake answers in milliseconds, so this never slows a test.
            // Tests of hangs set their own one-second timeout.
            RequestTimeout = TimeSpan.FromSeconds(10),
            RunTimeout = TimeSpan.FromSeconds(40),
            DefaultRetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryWait = TimeSpan.FromSeconds(2),
            MaxConcurrency = 8,
        };
        foreach (var id in only)
        {
            options.Only.Add(id);
        }

        return options;
    }

    /// <summary>
    /// The chat half of a run against the in-process MockServer: every <c>chat.*</c> check, the opt-in tool probe
    /// included, on a model that has a chat template.
    /// </summary>
    public static ConformanceOptions ChatOptions(Uri baseUrl, string profile, string model)
    {
        var options = Options(baseUrl, "chat");
        options.Model = model;
        options.Profile = profile;
        options.ToolProbe = true;
        return options;
    }

    public static async Task<ConformanceReport> RunAsync(FakeServerOptions fake, Action<ConformanceOptions>? configure = null, params string[] only)
    {
        await using var server = await FakeAcsServer.StartAsync(fake);
        var options = Options(server.BaseUrl, only);
        configure?.Invoke(options);
        return await ConformanceRunner.RunAsync(options);
    }
}
