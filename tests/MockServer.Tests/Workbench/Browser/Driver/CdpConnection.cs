using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace MockServer.Tests.Workbench.Browser.Driver;

/// <summary>
/// The Chrome DevTools Protocol over one WebSocket: commands numbered and answered by id, events handed to listeners
/// by method and session. Only the stable domains are used (Target, Page, Runtime, Input, Emulation, Log), which every
/// Chromium since long before Debian's 156 speaks, so the driver does not depend on a library tracking one browser build.
/// </summary>
internal sealed class CdpConnection : IAsyncDisposable
{
    /// <summary>A guard against a wedged browser, not a measure: one command answers in milliseconds here.</summary>
    public static readonly TimeSpan CommandGuard = TimeSpan.FromSeconds(60);

    private readonly ClientWebSocket _socket = new();
    private readonly ConcurrentDictionary<long, TaskCompletionSource<JsonElement>> _pending = new();
    private readonly Lock _gate = new();
    private readonly List<(string Method, string? Session, Action<JsonElement> Handler)> _listeners = [];

    /// <summary>Exceptions thrown by event listeners (the read loop goes on); <see cref="BrowserPage.TakeProblems"/> reports them.</summary>
    public ConcurrentQueue<string> HandlerFailures { get; } = new();
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly CancellationTokenSource _closing = new();
    private Task _reading = Task.CompletedTask;
    private long _lastId;

    public static async Task<CdpConnection> ConnectAsync(Uri browserEndpoint)
    {
        var connection = new CdpConnection();
        connection._socket.Options.KeepAliveInterval = Timeout.InfiniteTimeSpan;
        using var guard = new CancellationTokenSource(CommandGuard);
        await connection._socket.ConnectAsync(browserEndpoint, guard.Token);
        connection._reading = connection.ReadAsync();
        return connection;
    }

    /// <summary>Sends a command (to a page when <paramref name="session"/> is given) and returns its result.</summary>
    public async Task<JsonElement> SendAsync(string method, JsonObject? parameters = null, string? session = null)
    {
        var id = Interlocked.Increment(ref _lastId);
        var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? [] };
        if (session is not null)
        {
            message["sessionId"] = session;
        }

        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[id] = answer;
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _sendGate.WaitAsync();
        try
        {
            await _socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, _closing.Token);
        }
        finally
        {
            _sendGate.Release();
        }

        try
        {
            return await answer.Task.WaitAsync(CommandGuard);
        }
        catch (TimeoutException)
        {
            _pending.TryRemove(id, out _);
            throw new TimeoutException($"chromium did not answer {method} within {CommandGuard.TotalSeconds} s");
        }
    }

    /// <summary>Calls <paramref name="handler"/> (on the reading thread) for each event <paramref name="method"/> of the session.</summary>
    public IDisposable On(string method, string? session, Action<JsonElement> handler)
    {
        var listener = (method, session, handler);
        lock (_gate)
        {
            _listeners.Add(listener);
        }

        return new Unsubscribe(() =>
        {
            lock (_gate)
            {
                _listeners.Remove(listener);
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _closing.CancelAsync();
        _socket.Abort();
        try
        {
            await _reading;
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException)
        {
            // The browser is going away; nothing is waiting on it any more.
        }

        _socket.Dispose();
        _sendGate.Dispose();
        _closing.Dispose();
    }

    private async Task ReadAsync()
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        try
        {
            while (!_closing.IsCancellationRequested)
            {
                var part = await _socket.ReceiveAsync(buffer, _closing.Token);
                if (part.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Write(buffer, 0, part.Count);
                if (!part.EndOfMessage)
                {
                    continue;
                }

                Dispatch(JsonDocument.Parse(message.ToArray()).RootElement.Clone());
                message.SetLength(0);
            }
        }
        finally
        {
            // A browser that closed or crashed answers nothing more: fail what waits rather than let it hang to its guard.
            foreach (var (id, waiter) in _pending)
            {
                if (_pending.TryRemove(id, out _))
                {
                    waiter.TrySetException(new InvalidOperationException("the connection to chromium closed before it answered"));
                }
            }
        }
    }

    private void Dispatch(JsonElement message)
    {
        if (message.TryGetProperty("id", out var id))
        {
            if (_pending.TryRemove(id.GetInt64(), out var waiter))
            {
                if (message.TryGetProperty("error", out var error))
                {
                    waiter.TrySetException(new InvalidOperationException($"chromium refused a command: {error.GetRawText()}"));
                }
                else
                {
                    waiter.TrySetResult(message.GetProperty("result"));
                }
            }

            return;
        }

        var method = message.GetProperty("method").GetString();
        var session = message.TryGetProperty("sessionId", out var s) ? s.GetString() : null;
        var parameters = message.TryGetProperty("params", out var p) ? p : default;
        List<Action<JsonElement>> handlers;
        lock (_gate)
        {
            handlers = [.. _listeners.Where(l => l.Method == method && l.Session == session).Select(l => l.Handler)];
        }

        foreach (var handler in handlers)
        {
            // A listener that throws (a malformed event, a bug in a test's handler) must not end the read loop: every
            // pending command would then hang until its guard. Its failure is kept in HandlerFailures.
            try
            {
                handler(parameters);
            }
            catch (Exception ex)
            {
                HandlerFailures.Enqueue($"{method}: {ex}");
            }
        }
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
