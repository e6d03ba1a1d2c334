using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using Conformance.Http;
using Conformance.Profiles;

namespace Conformance.Checks;

/// <summary>
/// Everything a check may use. Probes are cached by name so several checks assert on one recorded exchange:
/// the streaming request is sent once however many stream checks read it, which keeps the token cost low.
/// </summary>
internal sealed class CheckContext(ConformanceOptions options, Profile profile, EndpointClient client, CancellationToken runToken)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<Exchange>>> _probes = new(StringComparer.Ordinal);

    public ConformanceOptions Options { get; } = options;

    public Profile Profile { get; } = profile;

    public EndpointClient Client { get; } = client;

    public CancellationToken RunToken { get; } = runToken;

    public string Model => Options.Model;

    /// <summary>Gets the observed behaviours that the report records for <c>diff</c>.</summary>
    public ConcurrentDictionary<string, string> Observations { get; } = new(StringComparer.Ordinal);

    /// <summary>Sends <paramref name="spec"/> once per run, keyed by its probe name.</summary>
    public Task<Exchange> Probe(RequestSpec spec) =>
        _probes.GetOrAdd(spec.Probe, _ => new Lazy<Task<Exchange>>(() => Client.SendAsync(spec, RunToken))).Value;

    /// <summary>
    /// A POST to <c>completions</c> with a JSON body; the estimate covers max_tokens × n plus a prompt allowance.
    /// <c>abandonAfterEvents</c> stops reading a stream after that many events (a bounded probe); 0 reads it all.
    /// </summary>
    public Task<Exchange> Completion(string probe, JsonObject body, bool stream = false, AuthMode auth = AuthMode.Configured, int abandonAfterEvents = 0)
    {
        ArgumentNullException.ThrowIfNull(body);
        var maxTokens = Json.Int(body["max_tokens"]) is { } m && m is > 0 and < 4_096 ? (int)m : 16;
        var n = Json.Int(body["n"]) is { } c && c is > 0 and < 16 ? (int)c : 1;

        // 64 covers the short prompts the suite sends, echoed once more when echo is on.
        var estimate = (maxTokens * n) + 64;
        return Probe(new RequestSpec(probe, HttpMethod.Post, "completions", body.ToJsonString(), Stream: stream, Auth: auth, TokenEstimate: estimate, AbandonAfterEvents: abandonAfterEvents));
    }

    /// <summary>A minimal valid body: the configured model, a short prompt and one token.</summary>
    public JsonObject MinimalBody() => new() { ["model"] = Model, ["prompt"] = "Hi", ["max_tokens"] = 1 };

    public void Observe(string key, object? value) =>
        Observations[key] = value switch
        {
            null => "null",
            bool b => b ? "true" : "false",
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "null",
        };
}
