using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>What the fakes read from a request the same way; each answers a body that is not an object in its own words.</summary>
internal static class FakeRequests
{
    /// <summary>The body as a JSON object, or null when it is not JSON or is another JSON value.</summary>
    public static async Task<JsonObject?> JsonObjectAsync(HttpContext ctx)
    {
        try
        {
            return await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
