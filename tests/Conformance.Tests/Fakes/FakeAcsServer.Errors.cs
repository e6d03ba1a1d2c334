using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>The error envelope and its violations, authentication, and plain JSON answers.</summary>
public sealed partial class FakeAcsServer
{
    private async Task<bool> AuthFailedAsync(HttpContext ctx)
    {
        if (_options.ApiKey is null)
        {
            return false;
        }

        var header = ctx.Request.Headers.Authorization.ToString();
        if (header.Length == 0 && Enforced("auth.missing-key"))
        {
            await ErrorAsync(ctx, 401, "Missing API key.", null, "missing_api_key");
            return true;
        }

        if (header.Length > 0 && header != "Bearer " + _options.ApiKey && Enforced("auth.wrong-key"))
        {
            await ErrorAsync(ctx, 401, "Invalid API key.", null, "invalid_api_key");
            return true;
        }

        return false;
    }

    private async Task ErrorAsync(HttpContext ctx, int status, string message, string? param, string? code)
    {
        if (_options.EchoAuthorization)
        {
            // Hostile: leaks the caller's credentials back; the suite must redact them.
            message += " (you sent: " + ctx.Request.Headers.Authorization + ")";
        }

        if (Has(Violation.ErrorNotEnvelope))
        {
            await WriteJsonAsync(ctx, status, new JsonObject { ["detail"] = message });
            return;
        }

        if (Has(Violation.ErrorCodeNull))
        {
            code = null;
        }
        else if (Has(Violation.ErrorCodeUncited) && code is not ("invalid_type" or "unknown_parameter" or "model_not_found" or "invalid_api_key"))
        {
            code = "some_other_code";
        }

        var error = new JsonObject
        {
            ["message"] = message,
            ["type"] = Has(Violation.ErrorTypeWrong) ? "BadRequestError" : "invalid_request_error",
            ["param"] = Has(Violation.ErrorParamNull) ? null : param,
            ["code"] = Has(Violation.ErrorCodeInteger) ? status : code,
        };
        if (Has(Violation.ErrorExtraKey))
        {
            error["object"] = "error"; // the pre-0.10.1 vLLM key (spec-facts §6.1)
        }

        if (Has(Violation.ErrorOmitsNullKeys))
        {
            foreach (var key in error.Where(p => p.Value is null).Select(p => p.Key).ToList())
            {
                error.Remove(key);
            }
        }

        await WriteJsonAsync(ctx, status, new JsonObject { ["error"] = error });
    }

    private static async Task WriteJsonAsync(HttpContext ctx, int status, JsonNode body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body.ToJsonString(), ctx.RequestAborted);
    }
}
