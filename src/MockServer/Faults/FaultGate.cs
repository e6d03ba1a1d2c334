using System.Globalization;
using MockServer.Errors;
using MockServer.Hosting;
using MockServer.Http;

namespace MockServer.Faults;

/// <summary>
/// The step both generation endpoints take after validation and before the cold-start gate: reads
/// <see cref="FaultPlan.Header"/>, answers a bad value (or a stream fault on a non-streaming request) with 400 naming
/// the header, answers a <c>status</c> fault with its error, and arms a stream fault for the SSE sink. Either way
/// before any byte. Without the header nothing changes: no response header, no state, identical bytes.
/// </summary>
internal static partial class FaultGate
{
    /// <summary>True when the request goes on (a stream fault may now be armed); otherwise the answer has been written.</summary>
    /// <param name="context">The request; the answer is written to it when the request does not go on.</param>
    /// <param name="model">The model's id, for the error event of an eviction fault.</param>
    /// <param name="stream">Whether the request streams (a stream fault needs it).</param>
    /// <param name="fixtureFault">The matched fixture's fault, used when the request has no header.</param>
    public static async Task<bool> AdmitAsync(HttpContext context, string model, bool stream, FaultPlan? fixtureFault = null)
    {
        var header = context.Request.Headers[FaultPlan.Header];
        if (header.Count == 0 && fixtureFault is null)
        {
            return true;
        }

        FaultPlan plan;
        try
        {
            plan = header.Count == 0 ? fixtureFault! : header.Count == 1 ? FaultPlan.Parse(header[0] ?? "") : throw new ApiErrorException(
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

        var applied = plan.Describe();
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MockServer.Faults");
        string path = context.Request.Path;
        context.Response.Headers[FaultPlan.AppliedHeader] = applied;
        if (plan.Kind != FaultKind.Status)
        {
            context.Features.Set(new ArmedFault(plan, model, logger, path));
            return true;
        }

        LogApplied(logger, applied, path, 0);
        if (plan.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        await ErrorWriter.WriteAsync(context, FaultErrors.ForStatus(plan.Status)).ConfigureAwait(false);
        return false;
    }

    [LoggerMessage(EventId = LogEvents.FaultApplied, Level = LogLevel.Information, Message = "Fault {Fault} applied on {Path} after frame {Frames}")]
    internal static partial void LogApplied(ILogger logger, string fault, string path, int frames);
}

/// <summary>A stream fault armed for one request; the SSE sink reads it from the request's features and acts on it.</summary>
internal sealed record ArmedFault(FaultPlan Plan, string Model, ILogger Logger, string Path)
{
    private readonly string _described = Plan.Describe();

    public void LogApplied(int frames) => FaultGate.LogApplied(Logger, _described, Path, frames);
}
