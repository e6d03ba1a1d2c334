using System.Buffers;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using MockServer.Errors;
using MockServer.Hosting;
using MockServer.Http;

namespace MockServer.Recording;

/// <summary>
/// In the pipeline only when record or replay is configured, after the client's key is checked and before the
/// endpoints: a request to <c>/v1/completions</c>, <c>/v1/chat/completions</c> or <c>/v1/models</c> that matches a
/// recording is replayed; else, in record mode, it is proxied and recorded; else it goes on to the endpoints (fixtures,
/// the synthetic model) as if this were not here. Neither replay nor recording validates the request: the upstream's
/// answer, whatever it was (a 400 included), is the one to reproduce.
/// </summary>
internal sealed class RecordReplayMiddleware(RequestDelegate next, MockServerOptions options, IServiceProvider services)
{
    private readonly Replayer? _replayer = services.GetService<Replayer>();
    private readonly RecordingProxy? _proxy = services.GetService<RecordingProxy>();

    public async Task InvokeAsync(HttpContext context)
    {
        var request = context.Request;
        var endpoint = EndpointOf(request);
        if (endpoint is null)
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var started = options.TimeProvider.GetTimestamp();
        ReplayTiming? timing = null;
        if (_replayer is not null)
        {
            try
            {
                timing = _replayer.TimingFor(context);
            }
            catch (FormatException ex)
            {
                await ErrorWriter.WriteAsync(context, ApiError.InvalidValue(HeaderRules.ReplayTimingHeader, $"Invalid header {HeaderRules.ReplayTimingHeader}: {ex.Message}")).ConfigureAwait(false);
                return;
            }
        }

        var scrubber = _proxy?.Scrubber ?? SecretScrubber.None;
        ReadOnlyMemory<byte> body = default;
        string path;
        string match;
        if (HttpMethods.IsPost(request.Method))
        {
            var (bytes, error) = await RequestBody.ReadAsync(request, options.MaxRequestBodyBytes, context.RequestAborted).ConfigureAwait(false);
            if (error is not null)
            {
                await ErrorWriter.WriteAsync(context, error).ConfigureAwait(false);
                return;
            }

            body = bytes.ToArray();
            path = endpoint == "chat" ? "/v1/chat/completions" : "/v1/completions";
            match = MatchKeys.ForBody(endpoint, body, scrubber);
        }
        else
        {
            // The route in its canonical case (ASP.NET matches /V1/Models too): the schema asks for ^/v1/, and a
            // request spelled either way replays it. A model id after the route keeps its case, since ids are exact.
            path = Canonical(request.Path.Value!);
            match = MatchKeys.ForQuery(request.QueryString.Value ?? "");
        }

        var facts = new RequestFacts(endpoint, request.Method, path, match);
        if (timing is not null && _replayer!.Find(MatchKeys.Key(facts.Method, path, match)) is { } exchange)
        {
            Note(context, body, "recording", exchange.Name);
            try
            {
                await _replayer.ReplayAsync(context, exchange, timing, started).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // the client left; the journal says so
            }

            return;
        }

        if (_proxy is not null)
        {
            Note(context, scrubber.Scrub(body), "upstream", null); // a body quoting the upstream key is journaled without it
            await _proxy.HandleAsync(context, facts, body, started).ConfigureAwait(false);
            return;
        }

        if (HttpMethods.IsPost(request.Method))
        {
            request.Body = new MemoryStream(body.ToArray(), writable: false); // the endpoint reads it again, as sent
        }

        await next(context).ConfigureAwait(false);
    }

    /// <summary><c>completions</c>, <c>chat</c>, <c>models</c>, or null for a request this does not handle.</summary>
    private static string? EndpointOf(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        if (HttpMethods.IsPost(request.Method))
        {
            return path.Equals("/v1/completions", StringComparison.OrdinalIgnoreCase) ? "completions"
                : path.Equals("/v1/chat/completions", StringComparison.OrdinalIgnoreCase) ? "chat"
                : null;
        }

        return HttpMethods.IsGet(request.Method)
            && (path.Equals("/v1/models", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/v1/models/", StringComparison.OrdinalIgnoreCase))
            ? "models"
            : null;
    }

    /// <summary><c>/v1/models</c> and <c>/v1/models/</c> in lower case, whatever the client's spelling; the rest as sent.</summary>
    private static string Canonical(string path)
    {
        const string Models = "/v1/models";
        return Models + path[Models.Length..];
    }

    /// <summary>
    /// For the journal: the body, the model, and what answered (<c>recording</c> with its file, or <c>upstream</c>).
    /// The answer is the upstream's as it was, so the status-code pages must not dress an empty error body.
    /// </summary>
    private static void Note(HttpContext context, ReadOnlyMemory<byte> body, string answeredBy, string? file)
    {
        context.Features.Get<IStatusCodePagesFeature>()?.Enabled = false;
        if (context.Features.Get<Journal.JournalScratch>() is not { } scratch)
        {
            return;
        }

        scratch.Body = body;
        (scratch.AnsweredBy, scratch.Fixture) = (answeredBy, file);
        try
        {
            using var document = JsonDocument.Parse(body);
            scratch.NoteModel(document.RootElement);
        }
        catch (JsonException)
        {
            // not JSON: the journal keeps the body without a model
        }
    }
}
