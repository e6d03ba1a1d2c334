namespace MockServer.Hosting;

/// <summary>What evicting a model did (<see cref="MockLlmServer.Evict"/>, <c>POST /admin/models/{id}/evict</c>).</summary>
/// <param name="Model">The evicted model's id.</param>
/// <param name="StreamsEnded">The streams of the model in flight at the eviction, each told to end after its current frame with an error event and <c>[DONE]</c>.</param>
/// <param name="Cold">Whether the model is now cold (it declares <c>cold</c> in its fixture): its next request starts a boot and gets 503 with <c>Retry-After</c>.</param>
public sealed record ModelEvictionResult(string Model, int StreamsEnded, bool Cold);
