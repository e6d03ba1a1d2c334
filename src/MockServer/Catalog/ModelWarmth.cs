using System.Collections.Concurrent;

namespace MockServer.Catalog;

/// <summary>
/// Whether each cold model (<see cref="ServedModel.Cold"/>) is booted, on the injected clock so a test with a fake
/// clock decides when a boot ends (issue 8, "Cold starts"). A cold model's first request starts its boot and is
/// refused, as is every request until the boot ends; then the model serves; after its idle time without a served
/// request it is cold again, and the next request starts a new boot. Models without <c>cold</c> never get here.
/// </summary>
internal sealed class ModelWarmth(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, State> _states = new(StringComparer.Ordinal);

    /// <summary>
    /// Admits a request to <paramref name="model"/>: null when the model serves it now, else the time until the boot
    /// (started by this request, or by an earlier one) ends. Each call counts as a request for the idle time only
    /// when it is served.
    /// </summary>
    public TimeSpan? Admit(ServedModel model)
    {
        if (model.Cold is not { } cold)
        {
            return null;
        }

        var state = _states.GetOrAdd(model.Id, static _ => new State());
        lock (state.Gate)
        {
            var now = time.GetUtcNow();
            var idleSince = state.LastServed > state.ReadyAt ? state.LastServed : state.ReadyAt;
            var cooled = state.ReadyAt is { } ready && now >= ready && cold.Idle is { } idle && now - idleSince!.Value >= idle;
            if (state.ReadyAt is null || cooled)
            {
                state.ReadyAt = now + cold.Boot;
                state.LastServed = null;
                return cold.Boot;
            }

            if (now < state.ReadyAt)
            {
                return state.ReadyAt.Value - now;
            }

            state.LastServed = now;
            return null;
        }
    }

    /// <summary>
    /// Makes a cold model cold again (an eviction): its next request starts a new boot and gets 503 with
    /// <c>Retry-After</c>. A model without <c>cold</c> has no boot to redo and is left as it is; returns whether the
    /// model is one that boots.
    /// </summary>
    public bool Evict(ServedModel model)
    {
        if (model.Cold is null)
        {
            return false;
        }

        var state = _states.GetOrAdd(model.Id, static _ => new State());
        lock (state.Gate)
        {
            state.ReadyAt = null;
            state.LastServed = null;
        }

        return true;
    }

    /// <summary>Every cold model as at start, never asked for: its next request starts a boot (<see cref="Hosting.MockLlmServer.Reset"/>).</summary>
    public void Reset() => _states.Clear();

    private sealed class State
    {
        public Lock Gate { get; } = new();

        /// <summary>When the current boot ends (or ended); null while the model has never been asked for.</summary>
        public DateTimeOffset? ReadyAt { get; set; }

        /// <summary>The last request served since that boot; the idle time runs from it, or from the boot's end.</summary>
        public DateTimeOffset? LastServed { get; set; }
    }
}
