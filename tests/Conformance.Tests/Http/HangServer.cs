using System.Collections.Concurrent;

namespace Conformance.Tests.Http;

/// <summary>An endpoint that takes every request and never answers; it records each arrival and the client's abort of it.</summary>
internal sealed class HangServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<Task> _aborts = new();
    private readonly TaskCompletionSource _first = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TinyServer? _server;

    public Uri BaseUrl => _server!.BaseUrl;

    /// <summary>Gets a task that completes when the first request has arrived.</summary>
    public Task FirstArrival => _first.Task;

    /// <summary>Gets one task per request that arrived, completed when the client aborted that request.</summary>
    public IReadOnlyCollection<Task> Aborts => _aborts;

    public static async Task<HangServer> StartAsync()
    {
        var hang = new HangServer();
        hang._server = await TinyServer.StartAsync(async ctx =>
        {
            var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            hang._aborts.Enqueue(aborted.Task);
            hang._first.TrySetResult();
            using (ctx.RequestAborted.Register(() => aborted.TrySetResult()))
            {
                await aborted.Task;
            }
        });
        return hang;
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
