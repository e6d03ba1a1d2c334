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
    /// How many unmatched prompts of one batch are explained: each costs a pass over every fixture, and each adds up to
    /// <see cref="NearMisses.Kept"/> lines to the journal and the error; a batch may hold thousands of prompts. The rest
    /// are counted, not explained.
    /// </summary>
    public const int MaxExplainedParts = 8;

    /// <summary>
    /// Records the near misses <paramref name="explain"/> finds in the request's <see cref="JournalScratch"/>, and in strict
    /// mode answers the error. False when the error was written. Explaining is skipped when nothing would read it.
    /// Runs before admission, so a refused request is neither faulted, delayed nor charged.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="explain">Finds the near misses (<see cref="FixtureScope.ExplainCompletion"/>, <see cref="FixtureScope.ExplainChat"/>).</param>
    /// <param name="kind">The fixtures compared, for the error when there are none: "completion" or "chat".</param>
    /// <param name="options">Whether strict mode is on.</param>
    public static Task<bool> ProceedAsync(HttpContext context, Func<IReadOnlyList<NearMiss>> explain, string kind, MockServerOptions options) =>
        ProceedAsync(context, [0], 1, _ => explain(), kind, options);

    /// <summary>
    /// The same for a batch (a completions <c>prompt</c> array): each unmatched prompt, up to <see cref="MaxExplainedParts"/>
    /// of them, is explained under its own label (<c>prompt[2]</c>) in the journal and in strict mode's error.
    /// </summary>
    /// <param name="context">The request.</param>
    /// <param name="unmatched">The indexes of the prompts no fixture matched, in order (at least one).</param>
    /// <param name="count">How many prompts the request holds: with one, the request is the part and has no label.</param>
    /// <param name="explain">Finds one prompt's near misses, by its index.</param>
    /// <param name="kind">The fixtures compared: "completion" or "chat".</param>
    /// <param name="options">Whether strict mode is on.</param>
    public static async Task<bool> ProceedAsync(HttpContext context, IReadOnlyList<int> unmatched, int count, Func<int, IReadOnlyList<NearMiss>> explain, string kind, MockServerOptions options)
    {
        var scratch = context.Features.Get<JournalScratch>();
        if (scratch is null && !options.StrictFixtures)
        {
            return true;
        }

        var explained = unmatched.Take(MaxExplainedParts)
            .Select(i => new MissedPart(count == 1 ? null : $"prompt[{i}]", explain(i)))
            .ToList();
        var untold = new Untold(unmatched.Count > MaxExplainedParts ? unmatched[MaxExplainedParts] : -1, unmatched.Count - explained.Count);
        if (scratch is not null && explained.Any(p => p.Misses.Count > 0))
        {
            var lines = explained.SelectMany(p => p.Misses.Select(m => p.Part is null ? m.ToString() : $"{p.Part}: {m}")).ToList();
            if (untold.Count > 0)
            {
                lines.Add(untold.ToString());
            }

            scratch.NearMisses = lines;
        }

        if (!options.StrictFixtures)
        {
            return true;
        }

        await ErrorWriter.WriteAsync(context, NotFound(explained, untold, kind)).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// 404, not 400: the request is valid, and what is missing is on the mock's side (a scripted answer for it), as with
    /// <c>model_not_found</c>. Not a 5xx: SDKs retry those, which would hide a configuration error of the test double
    /// behind retries; no real provider answers this, so the code is the mock's own and clients should not key on it.
    /// </summary>
    internal static ApiError NotFound(IReadOnlyList<NearMiss> misses, string what, string kind) =>
        NotFound([new MissedPart(what == "this request" ? null : what, misses)], new Untold(-1, 0), kind);

    private static ApiError NotFound(List<MissedPart> parts, Untold untold, string kind)
    {
        var what = parts.Count == 1 && untold.Count == 0
            ? parts[0].Part ?? "this request"
            : string.Join(", ", parts.Select(p => p.Part).Concat(untold.Count == 0 ? [] : [$"{untold.Count} more prompt{(untold.Count == 1 ? "" : "s")}"]));
        string Closest(IReadOnlyList<NearMiss> misses) => misses.Count == 0
            ? $"there are no {kind} fixtures to compare it with."
            : "closest: " + string.Join(" ", misses.Select((m, i) => $"({i + 1}) {m}."));
        var closest = parts.Count == 1
            ? Closest(parts[0].Misses)
            : string.Join(" ", parts.Select(p => $"{p.Part}: {Closest(p.Misses)}"));
        return new ApiError(404,
            $"No fixture matches {what} and strict fixtures are on, so the synthetic model does not answer; {closest}"
            + (untold.Count == 0 ? "" : $" {untold}."),
            ApiError.InvalidRequest, null, "fixture_not_found");
    }

    /// <summary>The unmatched prompts past <see cref="MaxExplainedParts"/>: the first one's index, and how many there are.</summary>
    private readonly record struct Untold(int First, int Count)
    {
        public override string ToString() =>
            $"prompt[{First}]{(Count > 1 ? $" and {Count - 1} more unmatched prompt{(Count == 2 ? "" : "s")}" : "")} not explained (at most {MaxExplainedParts} are)";
    }

    /// <summary>One unmatched part of a request (a batch's prompt, or the whole request when <see cref="Part"/> is null) and its near misses.</summary>
    private sealed record MissedPart(string? Part, IReadOnlyList<NearMiss> Misses);
}
