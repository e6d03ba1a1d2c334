using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>
/// A programmable acs endpoint on Kestrel at 127.0.0.1:0. Its default follows the provider contract to the letter;
/// each <see cref="Violation"/> or disabled rule breaks one rule so a test can prove the matching check fails, and a
/// <see cref="FakeDialect"/> answers as another server altogether (OpenAI, a current llama.cpp).
/// Generation is a deterministic toy: token i of a completion is picked from a fixed vocabulary by a hash.
/// One file per facet: routing and the request pipeline here; validation, generation, streaming, errors, hostility,
/// runaway generation and the llama.cpp dialect in <c>FakeAcsServer.*.cs</c>.
/// </summary>
public sealed partial class FakeAcsServer : IAsyncDisposable
{
    public const string Model = "llama-8b";
    public const string Root = "meta-llama/Llama-3.1-8B";
    private const long Created = 1_700_000_000;

    private readonly LocalKestrel _host;
    private readonly FakeServerOptions _options;
    private int _requests;
    private int _coldStarts;
    private int _inFlight;
    private int _maxInFlight;
    private int _overlapArrivals;
    private readonly TaskCompletionSource _overlapReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly SemaphoreSlim _hangs = new(0);
    private readonly Lock _gate = new();

    private FakeAcsServer(LocalKestrel host, FakeServerOptions options)
    {
        _host = host;
        _options = options;
    }

    /// <summary>Gets the base URL including <c>/v1</c>.</summary>
    public Uri BaseUrl => _host.BaseUrl;

    /// <summary>Gets how many completion requests arrived.</summary>
    public int CompletionRequests => _requests;

    /// <summary>Gets the most completion requests that were in flight at once.</summary>
    public int MaxConcurrentRequests => _maxInFlight;

    /// <summary>Waits until one more request is hanging (<see cref="Hostility.Hang"/>); a test then advances its clock past the timeout.</summary>
    public Task WaitForHangAsync(CancellationToken cancellationToken = default) => _hangs.WaitAsync(cancellationToken);

    public static async Task<FakeAcsServer> StartAsync(FakeServerOptions? options = null)
    {
        FakeAcsServer? server = null;
        var host = await LocalKestrel.StartAsync(app =>
        {
            app.MapPost("/v1/completions", (HttpContext ctx) => server!.TrackedAsync(ctx));
            app.MapGet("/v1/models", (HttpContext ctx) => server!.ModelsAsync(ctx));
        });
        server = new FakeAcsServer(host, options ?? new FakeServerOptions());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _hangs.Dispose();
    }

    private bool Has(Violation v) =>
        _options.Violations.Contains(v)

        // OpenAI's finish chunk (spec-facts §4.3, §9 Q9) is the acs violation of the same name.
        || (v == Violation.StreamSeparateEmptyFinishChunk && _options.Dialect == FakeDialect.OpenAi);

    private bool Enforced(string rule) => !_options.DisabledRules.Contains(rule);

    private async Task TrackedAsync(HttpContext ctx)
    {
        var now = Interlocked.Increment(ref _inFlight);
        lock (_gate)
        {
            _maxInFlight = Math.Max(_maxInFlight, now);
        }

        try
        {
            if (_options.OverlapFirst > 0 && Interlocked.Increment(ref _overlapArrivals) <= _options.OverlapFirst)
            {
                // The first requests wait for one another: the overlap is certain, not a matter of timing.
                if (now >= _options.OverlapFirst)
                {
                    _overlapReached.TrySetResult();
                }

                await _overlapReached.Task.WaitAsync(ctx.RequestAborted);
            }

            await CompletionsAsync(ctx);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task CompletionsAsync(HttpContext ctx)
    {
        var number = Interlocked.Increment(ref _requests);
        foreach (var (name, value) in _options.CompletionHeaders)
        {
            ctx.Response.Headers[name] = value;
        }

        if (Has(Violation.RateLimitRemainingAboveLimit))
        {
            ctx.Response.Headers["x-ratelimit-limit-requests"] = "10";
            ctx.Response.Headers["x-ratelimit-remaining-requests"] = "11";
        }

        if (await HostileAsync(ctx))
        {
            return;
        }

        if (Interlocked.Increment(ref _coldStarts) <= _options.ColdStartFailures)
        {
            if (_options.RetryAfter is not null)
            {
                ctx.Response.Headers.RetryAfter = _options.RetryAfter;
            }

            await ErrorAsync(ctx, _options.ColdStartStatus, "The model is starting.", null, "model_loading");
            return;
        }

        if (Has(Violation.UnavailableWithoutRetryAfter) && number == 1)
        {
            await ErrorAsync(ctx, 503, "The model is starting.", null, "model_loading");
            return;
        }

        if (_options.Dialect == FakeDialect.LlamaCpp)
        {
            await LlamaCompletionsAsync(ctx, number);
            return;
        }

        if (await AuthFailedAsync(ctx))
        {
            return;
        }

        if (!(ctx.Request.ContentType ?? string.Empty).StartsWith("application/json", StringComparison.OrdinalIgnoreCase) && Enforced("validation.content-type"))
        {
            await ErrorAsync(ctx, 400, "Only application/json is accepted.", null, "unsupported_media_type");
            return;
        }

        JsonObject? body;
        try
        {
            body = await JsonNode.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted) as JsonObject;
        }
        catch (JsonException) when (!Enforced("validation.invalid-json"))
        {
            // A lenient server that answers whatever it could read: here, a default completion.
            body = JsonNode.Parse("{\"model\":\"" + Model + "\",\"prompt\":\"\",\"max_tokens\":1}")!.AsObject();
        }
        catch (JsonException)
        {
            await ErrorAsync(ctx, 400, "The body is not valid JSON.", null, "invalid_json");
            return;
        }

        if (body is null)
        {
            await ErrorAsync(ctx, 400, "The body must be a JSON object.", null, "invalid_json");
            return;
        }

        var (request, error) = Validate(body);
        if (error is not null)
        {
            await ErrorAsync(ctx, error.Value.Status, error.Value.Message, error.Value.Param, error.Value.Code);
            return;
        }

        if ((Has(Violation.EchoRejected) && request!.Echo) || (Has(Violation.StreamRejected) && request!.Stream))
        {
            await ErrorAsync(ctx, 400, "Not supported.", request.Echo ? "echo" : "stream", "invalid_value");
            return;
        }

        if (request!.BadLogitBias)
        {
            if (Has(Violation.ServerErrorOnBadLogitBias))
            {
                await ErrorAsync(ctx, 500, "Internal server error.", null, null);
            }
            else
            {
                await ErrorAsync(ctx, 400, "logit_bias keys must be token ids.", "logit_bias", "invalid_value");
            }

            return;
        }

        if (request.Runaway)
        {
            await RunawayAsync(ctx, request, number);
            return;
        }

        var result = Generate(request, number);
        if (request.Stream)
        {
            await StreamAsync(ctx, request, result);
        }
        else
        {
            await WriteJsonAsync(ctx, 200, NonStreamed(request, result, number));
        }
    }
}
