using MockServer.Errors;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Http;
using MockServer.Journal;

namespace MockServer.Endpoints;

/// <summary>
/// What the generation endpoints do with a request no fixture matched (issue 9, "Near misses are explained"): the
/// journal entry names the closest fixtures and why each failed, and in strict mode
/// (<see cref="MockServerOptions.StrictFixtures"/>) the request is refused instead of answered by the synthetic model.
/// </summary>
internal static class FixtureMisses
{
    /// <summary>
    /// Records the near misses <paramref name="explain"/> finds in the request's <see cref="JournalScratch"/>, and in strict
    /// mode answers the error. False when the error was written. Explaining is skipped when nothing would read it.
    /// Runs before admission, so a refused request is neither faulted, delayed nor charged.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="explain">Finds the near misses (<see cref="FixtureSet.ExplainCompletion"/>, <see cref="FixtureSet.ExplainChat"/>).</param>
    /// <param name="part">The part of a batch that failed to match (<c>prompt[2]</c>), or null for the whole request.</param>
    /// <param name="kind">The fixtures compared, for the error when there are none: "completion" or "chat".</param>
    /// <param name="options">Whether strict mode is on.</param>
    public static async Task<bool> ProceedAsync(HttpContext context, Func<IReadOnlyList<NearMiss>> explain, string? part, string kind, MockServerOptions options)
    {
        var scratch = context.Features.Get<JournalScratch>();
        if (scratch is null && !options.StrictFixtures)
        {
            return true;
        }

        var misses = explain();
        if (scratch is not null && misses.Count > 0)
        {
            scratch.NearMisses = [.. misses.Select(m => part is null ? m.ToString() : $"{part}: {m}")];
        }

        if (!options.StrictFixtures)
        {
            return true;
        }

        await ErrorWriter.WriteAsync(context, NotFound(misses, part ?? "this request", kind)).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// 404, not 400: the request is valid, and what is missing is on the mock's side (a scripted answer for it), as with
    /// <c>model_not_found</c>. Not a 5xx: SDKs retry those, which would hide a configuration error of the test double
    /// behind retries; no real provider answers this, so the code is the mock's own and clients should not key on it.
    /// </summary>
    internal static ApiError NotFound(IReadOnlyList<NearMiss> misses, string what, string kind)
    {
        var closest = misses.Count == 0
            ? $"there are no {kind} fixtures to compare it with."
            : "closest: " + string.Join(" ", misses.Select((m, i) => $"({i + 1}) {m}."));
        return new ApiError(404,
            $"No fixture matches {what} and strict fixtures are on, so the synthetic model does not answer; {closest}",
            ApiError.InvalidRequest, null, "fixture_not_found");
    }
}
