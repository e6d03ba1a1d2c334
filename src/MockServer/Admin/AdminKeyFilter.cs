using System.Security.Cryptography;
using System.Text;
using MockServer.Errors;
using MockServer.Http;

namespace MockServer.Admin;

/// <summary>
/// The admin key check: with a key configured, every admin route needs <c>Authorization: Bearer &lt;admin key&gt;</c>
/// (compared in fixed time, never echoed); without one (allowed only when <c>/v1</c> has no keys either) admin routes are open.
/// </summary>
internal sealed class AdminKeyFilter(string? adminKey) : IEndpointFilter
{
    // The 401 is written already: a null result would make minimal APIs write "null" as JSON after it (headers read-only, a 500 and a reset connection).
    private static readonly IResult Refused = Results.Empty;

    private readonly byte[]? _key = adminKey is null ? null : Encoding.UTF8.GetBytes(adminKey);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (_key is null)
        {
            return await next(context).ConfigureAwait(false);
        }

        var http = context.HttpContext;
        var header = http.Request.Headers.Authorization.ToString();
        const string Scheme = "Bearer ";
        if (!header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || header.Length == Scheme.Length)
        {
            await ErrorWriter.WriteAsync(http, ApiError.MissingApiKey()).ConfigureAwait(false);
            return Refused;
        }

        if (!CryptographicOperations.FixedTimeEquals(_key, Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim())))
        {
            await ErrorWriter.WriteAsync(http, ApiError.InvalidApiKey()).ConfigureAwait(false);
            return Refused;
        }

        return await next(context).ConfigureAwait(false);
    }
}
