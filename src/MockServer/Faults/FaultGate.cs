using System.Globalization;
using MockServer.Errors;
using MockServer.Hosting;
using MockServer.Http;

namespace MockServer.Faults;

/// <summary>
/// The step both generation endpoints take after validation and before the cold-start gate: picks the request's fault
/// (the <see cref="FaultPlan.Header"/> header, else the matched fixture's <c>fault</c>, else a draw from the behaviour
/// file's <see cref="FaultSchedule"/>), answers a bad header (or a header's stream fault on a non-streaming request)
/// with 400 naming the header, answers a <c>status</c> fault with its error, waits out a <c>slow_first_byte</c>, and
/// arms a stream fault for the SSE sink. All before any byte. Without a fault nothing changes: no response header, no
/// state, identical bytes.
/// </summary>
/// <remarks>
/// A fixture's or the schedule's stream fault does not apply to a non-streaming request (there are no frames to act
/// on): the fixture answers it plainly, and the schedule does not draw stream faults for it. Only the header, which a
/// test writes for one request, turns that mismatch into a 400, so the test learns of it.
/// </remarks>
internal static partial class FaultGate
{
    /// <summary>True when the request goes on (a stream fault may now be armed); otherwise the answer has been written.</summary>
    /// <param name="context">The request; the answer is written to it when the request does not go on.</param>
    /// <param name="model">The model's id, for the error event of an eviction fault and the schedule's rules.</param>
    /// <param name="stream">Whether the request streams (a stream fault needs it).</param>
    /// <param name="fixtureFault">The matched fixture's fault, used when the request has no header.</param>
    public static async Task<bool> AdmitAsync(HttpContext context, string model, bool stream, FaultPlan? fixtureFault = null)
    {
        var header = context.Request.Headers[FaultPlan.Header];
        FaultPlan plan;
        string source;
        if (header.Count > 0)
        {
            try
            {
                plan = header.Count == 1 ? FaultPlan.Parse(header[0] ?? "") : throw new ApiErrorException(
                    ApiError.InvalidValue(FaultPlan.Header, $"Invalid '{FaultPlan.Header}' header: one fault per request, got {header.Count.ToString(CultureInfo.InvariantCulture)}."));
                if (plan.IsStreamFault && !stream)
                {
                    throw new ApiErrorException(ApiError.InvalidValue(FaultPlan.Header,
                        $"Invalid '{FaultPlan.Header}' header: '{plan.Describe()}' acts on stream frames and needs \"stream\": true."));
                }
            }
            catch (ApiErrorException e)
            {
                await ErrorWriter.WriteAsync(context, e.Error).ConfigureAwait(false);
                return false;
            }

            source = "header";
        }
        else if (fixtureFault is not null && (stream || !fixtureFault.IsStreamFault))
        {
            (plan, source) = (fixtureFault, "fixture");
        }
        else if (context.RequestServices.GetService<FaultSchedule>() is { IsActive: true } schedule
            && schedule.Draw(context, RouteOf(context), model, stream) is { } drawn)
        {
            (plan, source) = (drawn, "schedule");
        }
        else
        {
            return true;
        }

        var applied = plan.Describe();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MockServer.Faults");
        string path = context.Request.Path;
        context.Response.Headers[FaultPlan.AppliedHeader] = applied;
        switch (plan.Kind)
        {
            case FaultKind.Status:
                LogApplied(logger, applied, source, path, 0);
                if (plan.RetryAfterSeconds is { } seconds)
                {
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                }

                await ErrorWriter.WriteAsync(context, FaultErrors.ForStatus(plan.Status)).ConfigureAwait(false);
                return false;
            case FaultKind.SlowFirstByte:
                // Nothing is written before the wait ends, so the client sees neither status nor headers until then.
                LogApplied(logger, applied, source, path, 0);
                var clock = context.RequestServices.GetRequiredService<MockServerOptions>().TimeProvider;
                await Task.Delay(plan.Stall, clock, context.RequestAborted).ConfigureAwait(false);
                return true;
            default:
                context.Features.Set(new ArmedFault(plan, model, logger, path, source));
                return true;
        }
    }

    /// <summary>
    /// The canonical path of the route that matched (e.g. <c>/v1/completions</c>), as a behaviour file's <c>paths</c>
    /// name it: routing matches case-insensitively and ignores a trailing slash, so <c>/V1/completions/</c> reaches the
    /// same endpoint and must meet the same rules. The raw path only outside routing (never on the generation endpoints).
    /// </summary>
    internal static string RouteOf(HttpContext context) =>
        context.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } route } ? route : context.Request.Path.ToString();

    [LoggerMessage(EventId = LogEvents.FaultApplied, Level = LogLevel.Information, Message = "Fault {Fault} (from the {Source}) applied on {Path} after frame {Frames}")]
    internal static partial void LogApplied(ILogger logger, string fault, string source, string path, int frames);
}

/// <summary>A stream fault armed for one request; the SSE sink reads it from the request's features and acts on it.</summary>
internal sealed record ArmedFault(FaultPlan Plan, string Model, ILogger Logger, string Path, string Source = "header")
{
    private readonly string _described = Plan.Describe();

    public void LogApplied(int frames) => FaultGate.LogApplied(Logger, _described, Source, Path, frames);
}
