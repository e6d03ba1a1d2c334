using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MockServer.Tests.TestUtils;

/// <summary>
/// Collects a server's log lines so a test can assert that something was logged (an in-process server has no
/// providers of its own): add it with <c>server.Services.GetRequiredService&lt;ILoggerFactory&gt;().AddProvider(logs)</c>.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<(string Category, EventId Event, LogLevel Level, string Message)> _entries = new();
    private readonly ConcurrentDictionary<int, TaskCompletionSource<string>> _awaited = new();

    public IReadOnlyList<(string Category, EventId Event, LogLevel Level, string Message)> Entries => [.. _entries];

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, this);

    /// <summary>Completes with the message of the first line logged with event id <paramref name="eventId"/> (at once if there is one).</summary>
    public Task<string> WaitForEventAsync(int eventId)
    {
        var waiter = _awaited.GetOrAdd(eventId, _ => new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously));
        foreach (var entry in _entries.Where(e => e.Event.Id == eventId))
        {
            waiter.TrySetResult(entry.Message);
        }

        return waiter.Task;
    }

    public void Dispose()
    {
    }

    private void Add(string category, EventId eventId, LogLevel level, string message)
    {
        _entries.Enqueue((category, eventId, level, message));
        if (_awaited.TryGetValue(eventId.Id, out var waiter))
        {
            waiter.TrySetResult(message);
        }
    }

    private sealed class Logger(string category, CapturedLogs logs) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            logs.Add(category, eventId, logLevel, formatter(state, exception));
    }
}
