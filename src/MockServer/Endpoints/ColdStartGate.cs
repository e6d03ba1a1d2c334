using System.Globalization;
using MockServer.Catalog;
using MockServer.Errors;
using MockServer.Http;

namespace MockServer.Endpoints;

/// <summary>
/// The step both generation endpoints take between a valid request and the first byte of its answer: a cold or
/// booting model answers 503 with <c>Retry-After</c> (spec-facts §6.2 "cold boot → 503 + Retry-After", §11 item 6).
/// It runs after validation by our choice: an invalid request still gets its 400 and never starts a boot, so a
/// client's typo cannot wake a model, and the answer to a broken request does not depend on the model's state.
/// </summary>
internal static class ColdStartGate
{
    /// <summary>True when the model serves now; otherwise the 503 has been written.</summary>
    public static async Task<bool> AdmitAsync(HttpContext context, ModelWarmth warmth, ServedModel model)
    {
        if (warmth.Admit(model) is not { } remaining)
        {
            return true;
        }

        // Whole seconds, rounded up so a client that waits exactly this long finds the model booted, and at least 1
        // (the header cannot say "now", and 0 would invite a busy loop).
        var seconds = (int)Math.Max(1, Math.Ceiling(remaining.TotalSeconds));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await ErrorWriter.WriteAsync(context, ApiError.ModelLoading(model.Id, seconds)).ConfigureAwait(false);
        return false;
    }
}
