using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// A fake upstream on 127.0.0.1 that echoes what it was sent: the Authorization header it received (as written and in
/// base64) goes into its body, its stream's frames and its response headers, which is what a careless or hostile
/// upstream might do with a key. It keeps every request's headers, so a test can see what the proxy forwarded.
/// </summary>
internal sealed class EchoUpstream : IAsyncDisposable
{
    private LocalUpstream? _server;

    public Uri BaseUrl => _server!.BaseUrl;

    /// <summary>Every request's headers, in arrival order.</summary>
    public ConcurrentQueue<Dictionary<string, string>> Received { get; } = new();

    public static async Task<EchoUpstream> StartAsync()
    {
        var self = new EchoUpstream();
        self._server = await LocalUpstream.StartAsync(async context =>
        {
            self.Received.Enqueue(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase));
            var auth = context.Request.Headers.Authorization.ToString();
            var key = auth.StartsWith("Bearer ", StringComparison.Ordinal) ? auth["Bearer ".Length..] : auth;
            var echo = JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["authorization"] = auth,
                ["key"] = key,
                ["key_base64"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(key)),
                ["authorization_base64"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(auth)),
            });
            context.Response.Headers["X-Echo-Authorization"] = auth;
            context.Response.Headers["Set-Cookie"] = "session=" + key;
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            if (!body.Contains("\"stream\":true", StringComparison.Ordinal))
            {
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($$"""{"id":"x-1","echo":{{echo}}}""");
                return;
            }

            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync($"data: {{\"id\":\"x-2\",\"echo\":{echo}}}\n\n");
            await context.Response.Body.FlushAsync();
            await context.Response.WriteAsync($"data: {{\"id\":\"x-2\",\"text\":\"{key}\"}}\n\n");
            await context.Response.Body.FlushAsync();
            await context.Response.WriteAsync("data: [DONE]\n\n");
        });
        return self;
    }

    public ValueTask DisposeAsync() => _server?.DisposeAsync() ?? ValueTask.CompletedTask;
}
