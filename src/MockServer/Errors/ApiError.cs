using System.Globalization;

namespace MockServer.Errors;

/// <summary>
/// A structured error answered before any byte of a response body. Messages follow OpenAI's current wording
/// (spec-facts §1.1 "newer style") so a person reading one knows what to change; clients key on
/// <see cref="Code"/> and <see cref="Param"/>, never on the text.
/// </summary>
internal sealed record ApiError(int Status, string Message, string Type, string? Param, string? Code)
{
    public const string InvalidRequest = "invalid_request_error";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static ApiError InvalidType(string param, string expected, string got) =>
        new(400, $"Invalid type for '{param}': expected {expected}, but got {got} instead.", InvalidRequest, param, "invalid_type");

    public static ApiError BelowMinimum(string param, bool integer, string bound, object got) =>
        new(400, $"Invalid '{param}': {(integer ? "integer" : "decimal")} below minimum value. Expected a value {bound}, but got {Format(got)} instead.",
            InvalidRequest, param, integer ? "integer_below_min_value" : "decimal_below_min_value");

    public static ApiError AboveMaximum(string param, bool integer, string bound, object got) =>
        new(400, $"Invalid '{param}': {(integer ? "integer" : "decimal")} above maximum value. Expected a value {bound}, but got {Format(got)} instead.",
            InvalidRequest, param, integer ? "integer_above_max_value" : "decimal_above_max_value");

    public static ApiError InvalidValue(string param, string message) => new(400, message, InvalidRequest, param, "invalid_value");

    public static ApiError UnknownParameter(string param, string? suggestion) =>
        new(400, suggestion is null
                ? $"Unknown parameter: '{param}'."
                : $"Unknown parameter: '{param}'. Did you mean '{suggestion}'?",
            InvalidRequest, param, "unknown_parameter");

    public static ApiError DuplicateParameter(string param) =>
        new(400, $"Duplicate parameter: '{param}' appears more than once in the request body.", InvalidRequest, param, "duplicate_parameter");

    public static ApiError MissingParameter(string param) =>
        new(400, $"Missing required parameter: '{param}'.", InvalidRequest, param, "missing_required_parameter");

    /// <param name="detail">The parser's message.</param>
    /// <param name="status">400, or llama.cpp's 500 <c>server_error</c> (spec-facts §12.1): the one 5xx a dialect sends for client input.</param>
    public static ApiError InvalidJson(string detail, int status = 400) => status == 400
        ? new(400, $"We could not parse the JSON body of your request: {detail} The API expects a JSON object.", InvalidRequest, null, "invalid_json")
        : new(status, $"We could not parse the JSON body of your request: {detail}", "server_error", null, "invalid_json");

    public static ApiError UnsupportedMediaType(string? contentType) =>
        new(400, $"Unsupported Media Type: Only 'application/json' (UTF-8) is allowed, but the request was sent as '{contentType ?? "(none)"}'.",
            InvalidRequest, null, "unsupported_media_type");

    public static ApiError BodyTooLarge(long limit) =>
        new(413, $"Request body too large: the limit is {limit.ToString(Inv)} bytes.", InvalidRequest, null, "request_too_large");

    /// <param name="model">The id the client asked for.</param>
    /// <param name="served">The ids that do exist (<see cref="Catalog.ModelCatalog.DescribeIds"/>), so the fix is in the message.</param>
    public static ApiError ModelNotFound(string model, string served) =>
        new(404, $"The model '{model}' does not exist. Served models: {served}.", InvalidRequest, "model", "model_not_found");

    public static ApiError MissingApiKey() =>
        new(401, "You didn't provide an API key. Send it in the Authorization header as 'Bearer YOUR_KEY'.", InvalidRequest, null, "missing_api_key");

    // The key itself is never echoed, not even a suffix: reports and logs must stay free of secrets.
    public static ApiError InvalidApiKey() =>
        new(401, "Incorrect API key provided.", InvalidRequest, null, "invalid_api_key");

    public static ApiError NotFound(string path) =>
        new(404, $"Unknown request URL: {path}. Supported: POST /v1/completions, POST /v1/chat/completions, GET /v1/models, GET /v1/models/{{model}}, GET /health.", InvalidRequest, null, "unknown_url");

    public static ApiError MethodNotAllowed(string method, string path) =>
        new(405, $"Method {method} is not allowed on {path}.", InvalidRequest, null, "method_not_allowed");

    public static ApiError BadHttpRequest(int status) =>
        new(status, "The HTTP request could not be read.", InvalidRequest, null, "bad_request");

    /// <summary>
    /// A cold model booting (issue 8). The type is llama.cpp's for its "Loading model" 503 (spec-facts §6.1, §6.2;
    /// OpenAI documents no type for 503, vLLM emits none while loading); the code is ours, for clients to key on.
    /// </summary>
    public static ApiError ModelLoading(string model, int seconds) =>
        new(503, $"The model '{model}' is loading (cold start) and will be ready in about {seconds.ToString(Inv)} second{(seconds == 1 ? "" : "s")}. Retry after the Retry-After header's delay.",
            "unavailable_error", null, "model_loading");

    public static ApiError Internal() =>
        new(500, "The server had an error while processing your request.", "server_error", null, null);

    private static string Format(object value) => value switch
    {
        double d => d.ToString("R", Inv),
        IFormattable f => f.ToString(null, Inv),
        _ => value.ToString() ?? "",
    };
}

/// <summary>Thrown inside request parsing to short-circuit with a structured error.</summary>
internal sealed class ApiErrorException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
