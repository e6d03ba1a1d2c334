using System.Globalization;
using MockServer.Errors;

namespace MockServer.Faults;

/// <summary>The envelopes an injected fault answers with, shaped as OpenAI words them for the status (spec-facts §6.2).</summary>
internal static class FaultErrors
{
    /// <summary>Said of a fault from the header, a fixture or the schedule.</summary>
    public const string Injected = " (a fault injected by the mock server)";

    /// <summary>Said of an eviction through the admin route.</summary>
    public const string ByAdmin = " (evicted through the mock server's admin route)";

    /// <summary>An HTTP error before the first byte: type and code as a client keys on them for that status.</summary>
    public static ApiError ForStatus(int status) => status switch
    {
        401 => new(401, "Incorrect API key provided." + Injected, ApiError.InvalidRequest, null, "invalid_api_key"),
        403 => new(403, "You are not allowed to access this resource." + Injected, ApiError.InvalidRequest, null, "permission_denied"),
        404 => new(404, "The model does not exist or you do not have access to it." + Injected, ApiError.InvalidRequest, "model", "model_not_found"),
        429 => new(429, "Rate limit reached for requests." + Injected, "requests", null, "rate_limit_exceeded"),
        503 => new(503, "The engine is currently overloaded, please try again later." + Injected, "server_error", null, "overloaded"),
        >= 500 => new(status, "The server had an error while processing your request." + Injected, "server_error", null, null),
        _ => new(status, string.Create(CultureInfo.InvariantCulture, $"The request failed with status {status}.") + Injected, ApiError.InvalidRequest, null, null),
    };

    /// <summary>
    /// The in-stream error of <c>error_after</c> and of an eviction: the model was evicted mid-stream (issue 8, cold
    /// starts). Only a model that went cold again is said to be restarting: an <c>error_after</c> fault leaves the
    /// model's warmth alone, and an admin eviction of a model without a <c>cold</c> block answers <c>cold: false</c>,
    /// so there a retry is served at once and "restarting" would send the reader looking for a boot that never comes.
    /// </summary>
    /// <param name="model">The model's id.</param>
    /// <param name="cause">Who evicted it: <see cref="Injected"/> or <see cref="ByAdmin"/>.</param>
    /// <param name="restarting">Whether the eviction made the model cold (it boots again before serving).</param>
    public static ApiError Evicted(string model, string cause = Injected, bool restarting = false) =>
        new(500, (restarting
                ? $"The model '{model}' was evicted and is restarting (cold boot); the stream ended early. Retry the request; it is served once the model has booted."
                : $"The model '{model}' was evicted; the stream ended early. Retry the request.") + cause,
            "server_error", null, "model_evicted");
}
