using System.Text;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Redaction;

/// <summary>
/// A hostile endpoint that echoes the key it receives in every altered form a redactor might miss, in every place the
/// suite reports: JSON error messages, completion text, SSE events, the Content-Type header and the Retry-After header.
/// Each echo is labelled <c>[PF]</c> (P the place, F the form) so a test can tell that it reached an output.
/// </summary>
internal static class KeyEchoServer
{
    /// <summary>The places the key is echoed: error body, completion text, SSE event, Content-Type, Retry-After.</summary>
    public static readonly string[] Places = ["E", "T", "S", "C", "R"];

    /// <summary>The forms that must be masked, by label. Labels use letters that are not in the key, so no label extends a run.</summary>
    public static IReadOnlyList<(string Label, string Text)> SecretForms(string key) =>
    [
        ("d", key),
        ("f", key.ToUpperInvariant()),
        ("g", key.ToLowerInvariant()),
        ("h", key[(key.IndexOf('-', StringComparison.Ordinal) + 1)..]),
        ("i", key.Substring(5, 9)),
        ("j", KeyForms.JsonEscapeAll(key)),
        ("l", KeyForms.JsonEscapeSome(key)),
        ("m", KeyForms.PercentEncodeAll(key)),
    ];

    /// <summary>A 7-character run of the key: by the documented rule it is not masked (see RedactorTests).</summary>
    public static string SevenRun(string key) => key.Substring(6, 7);

    /// <summary>Every form for one place, labelled, each followed by <c>;</c>.</summary>
    public static string Echo(string place, string key) =>
        string.Concat(SecretForms(key).Select(f => $"[{place}{f.Label}]{f.Text};")) + $"[{place}n]{SevenRun(key)};";

    public static Task<TinyServer> StartAsync(string key, string model) => TinyServer.StartAsync(async ctx =>
    {
        var response = ctx.Response;
        if (ctx.Request.Headers.Authorization.ToString() != "Bearer " + key)
        {
            await ErrorAsync(ctx, 401, key);
            return;
        }

        if (ctx.Request.Path.Value!.EndsWith("/models", StringComparison.Ordinal))
        {
            response.ContentType = "application/json";
            await response.WriteAsync($"{{\"object\":\"list\",\"data\":[{{\"id\":\"{model}\",\"object\":\"model\",\"created\":0,\"owned_by\":\"me\"}}]}}");
            return;
        }

        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        if (Json.TryParse(body) is null)
        {
            // Invalid JSON gets a 429 whose Retry-After is unusable: the suite reports the header it could not honour.
            response.Headers.RetryAfter = Echo("R", key);
            await ErrorAsync(ctx, 429, key);
            return;
        }

        if (body.Contains("logprobs", StringComparison.Ordinal))
        {
            await ErrorAsync(ctx, 400, key);
            return;
        }

        if (body.Contains("\"stream\":true", StringComparison.Ordinal) || body.Contains("\"stream\": true", StringComparison.Ordinal))
        {
            response.Headers.ContentType = "text/event-stream; echo=" + Echo("C", key);
            var chunk = $"{{\"choices\":[{{\"text\":\"{Echo("S", key)}\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"stop\"}}],\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":0,\"model\":\"{model}\"}}";
            await response.WriteAsync($"data: {chunk}\n\ndata: [DONE]\n\n");
            return;
        }

        // The text comes first so that it falls inside the evidence excerpt (600 characters).
        response.ContentType = "application/json";
        await response.WriteAsync($"{{\"choices\":[{{\"text\":\"{Echo("T", key)}\",\"index\":0,\"logprobs\":null,\"finish_reason\":\"length\"}}],\"id\":\"cmpl-1\",\"object\":\"text_completion\",\"created\":0,\"model\":\"{model}\",\"usage\":{{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}}}");
    });

    private static async Task ErrorAsync(HttpContext ctx, int status, string key)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.Headers.ContentType = "application/json; echo=" + Echo("C", key);
        await ctx.Response.WriteAsync($"{{\"error\":{{\"message\":\"{Echo("E", key)}\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}}}");
    }
}
