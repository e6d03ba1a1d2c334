namespace Conformance.Matrix;

/// <summary>One column of a matrix: an endpoint and the expectations it is judged by, as the config file gives them.</summary>
/// <param name="Name">The column heading, unique in the file.</param>
/// <param name="BaseUrl">The base URL including the version segment; absolute http(s), no user info.</param>
/// <param name="Model">The model to request (the profile's default when the file gives none).</param>
/// <param name="Profile">The resolved profile name.</param>
/// <param name="ApiKeyEnv">The name of the environment variable that holds the key, or null to send no key.</param>
internal sealed record MatrixTarget(string Name, Uri BaseUrl, string Model, string Profile, string? ApiKeyEnv)
{
    /// <summary>Gets the check ids or categories to run (as <c>--only</c>).</summary>
    public IReadOnlyList<string> Only { get; init; } = [];

    /// <summary>Gets the check ids or categories to leave out (as <c>--skip</c>).</summary>
    public IReadOnlyList<string> Skip { get; init; } = [];

    /// <summary>Gets the extra headers sent on every request (as <c>--header</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    /// <summary>Gets a value indicating whether the chat tool-call probe runs (as <c>--tool-probe</c>).</summary>
    public bool ToolProbe { get; init; }

    /// <summary>The options of this target's run; <paramref name="apiKey"/> comes from the environment, never from the file.</summary>
    public ConformanceOptions Options(string? apiKey, TimeProvider clock)
    {
        var options = new ConformanceOptions { BaseUrl = BaseUrl, ApiKey = apiKey, Model = Model, Profile = Profile, ToolProbe = ToolProbe, TimeProvider = clock };
        foreach (var selector in Only)
        {
            options.Only.Add(selector);
        }

        foreach (var selector in Skip)
        {
            options.Skip.Add(selector);
        }

        foreach (var header in Headers)
        {
            options.Headers.Add(header);
        }

        return options;
    }
}
