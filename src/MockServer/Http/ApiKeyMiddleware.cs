using System.Security.Cryptography;
using System.Text;
using MockServer.Errors;
using MockServer.Hosting;

namespace MockServer.Http;

/// <summary>
/// Bearer-key check on <c>/v1</c> paths (in any letter case, as routing matches them) when keys are configured (the scheme is case-insensitive, as vLLM's is;
/// <c>/health</c> stays open). Failures answer 401 in the OpenAI envelope, never echoing the key.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, MockServerOptions options)
{
    private readonly byte[][] _keys = [.. options.ApiKeys.Select(Encoding.UTF8.GetBytes)];

    public Task InvokeAsync(HttpContext context)
    {
        if (_keys.Length == 0 || !context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
        {
            return next(context);
        }

        var header = context.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header.Length == Scheme.Length)
        {
            return ErrorWriter.WriteAsync(context, ApiError.MissingApiKey());
        }

        var presented = Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim());
        foreach (var key in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(key, presented))
            {
                return next(context);
            }
        }

        return ErrorWriter.WriteAsync(context, ApiError.InvalidApiKey());
    }
}
