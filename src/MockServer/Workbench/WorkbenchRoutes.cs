using MockServer.Errors;
using MockServer.Hosting;
using MockServer.Http;

namespace MockServer.Workbench;

/// <summary>
/// The browser workbench (issue 11) at <c>/workbench/</c>: its page and assets from memory (<see cref="WorkbenchAssets"/>),
/// mapped only when <see cref="MockServerOptions.EnableWorkbench"/> is on; otherwise <c>/workbench</c> is the ordinary
/// 404. The page is public and holds no secret (a navigation cannot send a bearer key): every action it takes goes
/// through <c>/v1</c> and <c>/admin</c>, which keep their own key rules.
/// </summary>
/// <remarks>
/// Every answer under the prefix carries <see cref="ContentSecurityPolicy"/> (no inline script or style, no eval, no
/// other origin, no framing), <c>X-Content-Type-Options: nosniff</c> and <c>Referrer-Policy: no-referrer</c>, and no
/// CORS header: another origin's page can neither read it nor embed it.
/// </remarks>
internal static class WorkbenchRoutes
{
    public const string Prefix = "/workbench";

    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>Whether the path is the workbench's (<c>/workbench</c> or under it), whatever its case, as routing matches it.</summary>
    public static bool IsWorkbench(PathString path) => path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);

    public static void MapWorkbench(this WebApplication app)
    {
        if (!app.Services.GetRequiredService<MockServerOptions>().EnableWorkbench)
        {
            return;
        }

        var assets = WorkbenchAssets.Load();
        // One route for the prefix and everything under it (a catch-all also matches /workbench itself), every method,
        // so a wrong method or an unknown file gets its envelope here, with the headers above.
        app.Map(Prefix + "/{**file}", context => ServeAsync(context, assets));
    }

    private static Task ServeAsync(HttpContext context, WorkbenchAssets assets)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            headers.Allow = "GET, HEAD";
            return ErrorWriter.WriteAsync(context, ApiError.MethodNotAllowed(request.Method, request.Path));
        }

        request.Path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase, out var rest);
        if (!rest.HasValue)
        {
            // The page's links are relative (workbench.css), so it is served from /workbench/, where they resolve under it.
            response.StatusCode = StatusCodes.Status301MovedPermanently;
            headers.Location = "workbench/";
            return Task.CompletedTask;
        }

        if (assets.Find(rest.Value![1..]) is not { } asset)
        {
            return ErrorWriter.WriteAsync(context, new ApiError(404,
                $"Unknown workbench file: {request.Path}. The workbench is at {Prefix}/ (files: {string.Join(", ", assets.Names.Order(StringComparer.Ordinal))}).",
                ApiError.InvalidRequest, null, "unknown_url"));
        }

        headers.ETag = asset.ETag;
        headers.CacheControl = "no-cache"; // revalidated each time: an upgraded server's page is seen at once
        if (Matches(request.Headers.IfNoneMatch.ToString(), asset.ETag))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            return Task.CompletedTask;
        }

        response.StatusCode = 200;
        response.ContentType = asset.ContentType;
        response.ContentLength = asset.Bytes.Length;
        return HttpMethods.IsHead(request.Method) ? Task.CompletedTask : response.Body.WriteAsync(asset.Bytes, context.RequestAborted).AsTask();
    }

    /// <summary>Whether an <c>If-None-Match</c> list names the tag (or is <c>*</c>): then the browser's copy is current.</summary>
    private static bool Matches(string ifNoneMatch, string etag)
    {
        foreach (var range in ifNoneMatch.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var tag = range.StartsWith("W/", StringComparison.Ordinal) ? range[2..] : range; // If-None-Match compares weakly (RFC 9110 §13.1.2)
            if (tag == "*" || tag == etag)
            {
                return true;
            }
        }

        return false;
    }
}
