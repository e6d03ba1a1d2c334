using MockServer.Budgets;
using MockServer.Catalog;
using MockServer.Errors;
using MockServer.Faults;
using MockServer.Hosting;
using MockServer.Http;
using MockServer.Timing;

namespace MockServer.Endpoints;

/// <summary>What a valid request brings from the fixture it matched, for the steps around generation.</summary>
internal readonly record struct FixtureBehaviour(StreamTiming? Timing, FaultPlan? Fault);

/// <summary>An admitted request: its resolved timing and the charge to settle once its answer is written.</summary>
internal sealed record Admitted(StreamTiming Timing, UsageCharge Charge);

/// <summary>
/// The steps both generation endpoints take between a valid request and the first byte, in this order (REVIEW.md,
/// seam 5, layers around the token stream): the timing header (a bad one is a 400 like any bad field), faults
/// (<see cref="FaultGate"/>: header, fixture or schedule), the cold-start gate (503), then the key's budget and rate
/// limits (429), which come last so that a refused or faulted request is never charged.
/// </summary>
internal static class Admission
{
    /// <summary>The admitted request, or null when the answer (400, fault, 503, 429) has been written.</summary>
    public static async Task<Admitted?> AdmitAsync(
        HttpContext context,
        ServedModel model,
        bool stream,
        FixtureBehaviour fixture,
        int promptTokens,
        long maxCompletionTokens,
        ModelWarmth warmth,
        MockServerOptions options)
    {
        StreamTiming timing;
        try
        {
            timing = TimingResolver.Resolve(context, model, fixture.Timing, options);
        }
        catch (ApiErrorException e)
        {
            await ErrorWriter.WriteAsync(context, e.Error).ConfigureAwait(false);
            return null;
        }

        if (!await FaultGate.AdmitAsync(context, model.Id, stream, fixture.Fault).ConfigureAwait(false)
            || !await ColdStartGate.AdmitAsync(context, warmth, model).ConfigureAwait(false))
        {
            return null;
        }

        if (await BudgetGate.AdmitAsync(context, model.Id, promptTokens, maxCompletionTokens).ConfigureAwait(false) is not { } charge)
        {
            return null;
        }

        if (stream)
        {
            StreamEvictions.Track(context, model.Id); // an eviction of the model now ends this stream (SseSink)
        }

        return new Admitted(timing, charge);
    }
}
