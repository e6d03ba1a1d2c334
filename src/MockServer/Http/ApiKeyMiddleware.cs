using System.Security.Cryptography;
using System.Text;
using MockServer.Budgets;
using MockServer.Errors;

namespace MockServer.Http;

/// <summary>
/// Bearer-key check on <c>/v1</c> paths (in any letter case, as routing matches them) when keys are configured (the scheme is case-insensitive, as vLLM's is;
/// <c>/health</c> stays open). Failures answer 401 in the OpenAI envelope, never echoing the key. An accepted key's
/// account is set as the <see cref="AuthenticatedKey"/> request feature for the budget gate.
/// </summary>
internal sealed class ApiKeyMiddleware(RequestDelegate next, KeyAccounts keys)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (keys.Accounts.Count == 0 || !context.Request.Path.StartsWithSegments("/v1", StringComparison.OrdinalIgnoreCase))
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
        foreach (var account in keys.Accounts)
        {
            if (CryptographicOperations.FixedTimeEquals(account.Key, presented))
            {
                context.Features.Set(new AuthenticatedKey(account));
                return next(context);
            }
        }

        return ErrorWriter.WriteAsync(context, ApiError.InvalidApiKey());
    }
}
