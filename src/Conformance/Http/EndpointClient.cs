using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Conformance.Sse;

namespace Conformance.Http;

/// <summary>
/// Sends the suite's requests with every safety bound a paid or hostile endpoint calls for: per-request and run
/// timeouts, a byte cap, an event cap for endless streams, bounded concurrency, a token budget, and bounded
/// Retry-After handling on 429/503, with no retry where the server says it cannot help (spec-facts §6.2, §6.4). It
/// never throws for what the endpoint does; it records.
/// </summary>
internal sealed class EndpointClient : IDisposable
{
    /// <summary>The key sent by the wrong-key check; it cannot be a real key.</summary>
    public const string WrongKey = "conformance-wrong-key-0000";

    private readonly ConformanceOptions _options;
    private readonly HttpClient _http;
    private readonly HttpClient _fresh;
    private readonly SemaphoreSlim _concurrency;
    private readonly Redactor _redactor;
    private readonly ConcurrentQueue<Exchange> _log = new();
    private readonly ConcurrentQueue<RateLimitSighting> _rateLimits = new();
    private long _retryWaitTicks;
    private int _retryCount;
    private int _transportRetryCount;
    private int _responseCount;

    public EndpointClient(ConformanceOptions options, TokenBudget budget, Redactor redactor)
    {
        _options = options;
        Budget = budget;
        _redactor = redactor;
        _concurrency = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));

        // Our own timeouts apply (per request, per run); HttpClient's would hide which one fired.
        _http = new HttpClient(NewHandler(options, Timeout.InfiniteTimeSpan), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

        // Connections that live for one request: a retry of a transport race goes out on a connection that cannot be
        // the dead pooled one (spec-facts §12.1).
        _fresh = new HttpClient(NewHandler(options, TimeSpan.Zero), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public TokenBudget Budget { get; }

    /// <summary>Gets every exchange recorded so far, in completion order.</summary>
    public IReadOnlyCollection<Exchange> Log => _log;

    public int RetryCount => _retryCount;

    /// <summary>Gets every answer (each attempt, retried 429/503s included) that carried <c>x-ratelimit-*</c> headers.</summary>
    public IReadOnlyCollection<RateLimitSighting> RateLimits => _rateLimits;

    /// <summary>Gets how many requests failed before any response byte and were sent once more on a fresh connection.</summary>
    public int TransportRetryCount => _transportRetryCount;

    /// <summary>Gets how many attempts received an HTTP status line (whatever the status); 0 means nothing answered.</summary>
    public int ResponseCount => _responseCount;

    public TimeSpan RetryWait => TimeSpan.FromTicks(Interlocked.Read(ref _retryWaitTicks));

    public void Dispose()
    {
        _http.Dispose();
        _fresh.Dispose();
        _concurrency.Dispose();
    }

    /// <summary>Sends <paramref name="spec"/>, retrying 429/503 within the bounds, and records the result.</summary>
    public async Task<Exchange> SendAsync(RequestSpec spec, CancellationToken runToken)
    {
        var url = Resolve(spec.Path);
        var exchange = new Exchange { Spec = spec, Url = url, RequestText = DescribeRequest(spec, url), Redactor = _redactor };
        if (spec.TokenEstimate > 0 && !Budget.TryReserve(spec.TokenEstimate))
        {
            exchange.Failure = TransportFailure.BudgetExhausted;
            exchange.FailureDetail = $"token budget of {Budget.Limit} would be exceeded ({Budget.Spent} spent, {spec.TokenEstimate} needed)";
            _log.Enqueue(exchange);
            return exchange;
        }

        var started = _options.TimeProvider.GetTimestamp();
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                await AttemptAsync(spec, exchange, runToken);
                if (exchange.Failure != TransportFailure.None || exchange.Status is not (429 or 503))
                {
                    break;
                }

                var (valid, delay) = ParseRetryAfter(exchange.RetryAfter);

                // An unusable value waits the default; one too long to represent (e.g. 1e300) is never waited.
                var tooLong = !valid && delay == TimeSpan.MaxValue;
                var wait = valid || tooLong ? delay : _options.DefaultRetryDelay;
                var excerpt = _redactor.Excerpt(exchange.BodyText, 200);
                var code = ErrorCode(exchange);
                var pointless = PointlessRetry(exchange, code);
                if (pointless is not null || attempt >= _options.MaxRetries || wait > _options.MaxRetryWait)
                {
                    // Bounded: report the last 429/503 instead of waiting longer than the run allows, or for nothing.
                    exchange.Retries.Add(new AttemptRecord(exchange.Status.Value, exchange.RetryAfter, valid, TimeSpan.Zero, excerpt, code, exchange.ShouldRetry));
                    exchange.FailureDetail = pointless is not null
                        ? $"{pointless}; not retried"
                        : tooLong
                        ? $"Retry-After '{_redactor.Excerpt(exchange.RetryAfter ?? string.Empty, 40)}' is too long to honour (bound {_options.MaxRetryWait.TotalSeconds:0.#}s); not retried"
                        : wait > _options.MaxRetryWait
                        ? $"Retry-After {wait.TotalSeconds:0.#}s exceeds the bound of {_options.MaxRetryWait.TotalSeconds:0.#}s; not retried"
                        : $"gave up after {attempt + 1} attempts";
                    break;
                }

                exchange.Retries.Add(new AttemptRecord(exchange.Status.Value, exchange.RetryAfter, valid, wait, excerpt, code, exchange.ShouldRetry));
                Interlocked.Increment(ref _retryCount);
                Interlocked.Add(ref _retryWaitTicks, wait.Ticks);
                try
                {
                    await Task.Delay(wait, _options.TimeProvider, runToken);
                }
                catch (OperationCanceledException)
                {
                    exchange.Failure = TransportFailure.RunTimeout;
                    exchange.FailureDetail = "run timeout elapsed while waiting for Retry-After";
                    break;
                }

                exchange.ResetResponse();
            }
        }
        finally
        {
            // Whatever happened above, the exchange is settled and logged: checks need it as evidence.
            try
            {
                exchange.Elapsed = _options.TimeProvider.GetElapsedTime(started);
                if (spec.TokenEstimate > 0)
                {
                    Budget.Settle(spec.TokenEstimate, ReceivedTokens.Count(exchange));
                }
            }
            finally
            {
                _log.Enqueue(exchange);
            }
        }

        return exchange;
    }

    /// <summary>
    /// Why retrying this 429/503 cannot help, or null when it may: the server said so with <c>x-should-retry: false</c>
    /// (the OpenAI SDK never retries then, spec-facts §6.4, §11 item 6; e.g. on OpenAI's "Request too large" 429
    /// <c>rate_limit_exceeded</c>, a request larger than the whole per-minute limit, which no wait lets through), or the
    /// 429 is <c>insufficient_quota</c>, which only a person can lift (§6.2). Retrying would only spend the run's time.
    /// </summary>
    private static string? PointlessRetry(Exchange exchange, string? code) =>
        Exchange.RetryRefused(exchange.ShouldRetry) ? "the server said not to retry (x-should-retry: false)"
        : exchange.Status == 429 && code == "insufficient_quota" ? "insufficient_quota: a person has to act, waiting cannot help"
        : null;

    /// <summary>The error's <c>code</c>, else its <c>type</c>, when the body is an error envelope with a string there.</summary>
    private static string? ErrorCode(Exchange exchange) =>
        exchange.Json?["error"] is System.Text.Json.Nodes.JsonObject error ? Json.Str(error["code"]) ?? Json.Str(error["type"]) : null;

    /// <summary>The longest Retry-After taken as a real value (a year); anything longer is unusable, and never waited.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(365);

    /// <summary>Parses Retry-After as delta-seconds (fractions allowed, as the OpenAI SDK does) or an HTTP date.</summary>
    /// <returns>
    /// Valid with the delay; or not valid with <see cref="TimeSpan.Zero"/> for junk, and not valid with
    /// <see cref="TimeSpan.MaxValue"/> for a value too long to honour (beyond <see cref="MaxRetryAfter"/>, e.g. <c>1e300</c>).
    /// </returns>
    public (bool Valid, TimeSpan Delay) ParseRetryAfter(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return (false, TimeSpan.Zero);
        }

        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0 && !double.IsNaN(seconds))
        {
            // Clamped before converting: TimeSpan.FromSeconds overflows on values such as 1e300.
            return seconds > MaxRetryAfter.TotalSeconds ? (false, TimeSpan.MaxValue) : (true, TimeSpan.FromSeconds(seconds));
        }

        if (DateTimeOffset.TryParseExact(value, "r", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
        {
            var delay = date - _options.TimeProvider.GetUtcNow();
            return delay > MaxRetryAfter ? (false, TimeSpan.MaxValue) : (true, delay < TimeSpan.Zero ? TimeSpan.Zero : delay);
        }

        return (false, TimeSpan.Zero);
    }

    private Uri Resolve(string path)
    {
        // User info is never sent or shown: a key belongs in ApiKey, not in the URL.
        var baseText = WithoutUserInfo(_options.BaseUrl).AbsoluteUri;
        return new Uri(baseText.EndsWith('/') ? baseText + path : baseText + "/" + path);
    }

    /// <summary><paramref name="url"/> without any <c>user:password@</c> part.</summary>
    public static Uri WithoutUserInfo(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        return !url.IsAbsoluteUri || url.UserInfo.Length == 0 ? url : new UriBuilder(url) { UserName = string.Empty, Password = string.Empty }.Uri;
    }

    private string DescribeRequest(RequestSpec spec, Uri url)
    {
        var sb = new StringBuilder();
        sb.Append(spec.Method.Method).Append(' ').Append(url).Append('\n');
        switch (spec.Auth)
        {
            case AuthMode.Configured when !string.IsNullOrEmpty(_options.ApiKey):
                sb.Append("Authorization: Bearer ").Append(Redactor.Mask).Append('\n');
                break;
            case AuthMode.Wrong:
                sb.Append("Authorization: Bearer ").Append(WrongKey).Append('\n');
                break;
            default:
                break;
        }

        foreach (var (name, value) in HeadersFor(spec))
        {
            sb.Append(name).Append(": ").Append(ExtraHeaders.Shown(name, value)).Append('\n');
        }

        if (spec.Body is not null)
        {
            sb.Append("Content-Type: ").Append(spec.ContentType).Append("\n\n").Append(_redactor.Excerpt(spec.Body, 1_000));
        }

        return _redactor.Redact(sb.ToString());
    }

    /// <summary>
    /// Keeps the <c>x-ratelimit-*</c> headers of an answer, as seen, for limits.ratelimit-headers (spec-facts §6.4): one
    /// entry per field line, so a header a proxy repeats is judged value by value, not as one joined "60, 60".
    /// </summary>
    private void RecordRateLimits(Exchange exchange, HttpResponseMessage response)
    {
        var headers = response.Headers
            .Where(h => h.Key.StartsWith(RateLimitSighting.Prefix, StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key.ToLowerInvariant(), _redactor.Excerpt(v, 100))))
            .ToList();
        if (headers.Count > 0)
        {
            _rateLimits.Enqueue(new RateLimitSighting(exchange, exchange.Status!.Value, headers));
        }
    }

    /// <summary>The extra headers <paramref name="spec"/> carries: every request's, and the streaming ones on a stream.</summary>
    private IEnumerable<KeyValuePair<string, string>> HeadersFor(RequestSpec spec) =>
        spec.Stream ? _options.Headers.Concat(_options.StreamHeaders) : _options.Headers;

    private static SocketsHttpHandler NewHandler(ConformanceOptions options, TimeSpan pooledConnectionLifetime) => new()
    {
        ConnectTimeout = options.RequestTimeout,
        AllowAutoRedirect = false,
        AutomaticDecompression = System.Net.DecompressionMethods.None,

        // A response cut at our byte or event cap is abandoned, not drained: draining an endless or hostile
        // stream reads up to 1 MB for up to 2 s per response just to reuse a connection to a broken endpoint.
        MaxResponseDrainSize = 0,

        // Zero: a connection serves one request and is closed, never pooled.
        PooledConnectionLifetime = pooledConnectionLifetime,
    };

    private async Task AttemptAsync(RequestSpec spec, Exchange exchange, CancellationToken runToken)
    {
        try
        {
            await _concurrency.WaitAsync(runToken);
        }
        catch (OperationCanceledException)
        {
            exchange.Failure = TransportFailure.RunTimeout;
            exchange.FailureDetail = "run timeout elapsed before the request was sent";
            return;
        }

        try
        {
            // One per-request timeout bounds the attempt and its transport retry together.
            using var timeout = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(runToken, timeout.Token);
            if (await SendRecordingAsync(_http, spec, exchange, timeout, runToken, linked.Token) is not { } race)
            {
                return;
            }

            // A failure before any response byte, after the connection was made: the usual cause is a server that closed
            // a kept-alive connection just as the pool reused it (spec-facts §12.1). That is no behaviour of the
            // endpoint, so the request goes once more on a connection opened for it, and the report says so.
            Interlocked.Increment(ref _transportRetryCount);
            exchange.TransportRetry = race;
            exchange.ResetResponse();
            exchange.Failure = TransportFailure.None;
            exchange.FailureDetail = null;
            await SendRecordingAsync(_fresh, spec, exchange, timeout, runToken, linked.Token);
        }
        finally
        {
            _concurrency.Release();
        }
    }

    /// <summary>Sends once on <paramref name="client"/> and records the outcome.</summary>
    /// <returns>Why the attempt failed when the failure may be a transport race worth one retry; otherwise null.</returns>
    private async Task<string?> SendRecordingAsync(HttpClient client, RequestSpec spec, Exchange exchange, CancellationTokenSource timeout, CancellationToken runToken, CancellationToken ct)
    {
        exchange.Attempts++;
        try
        {
            await SendOnceAsync(client, spec, exchange, ct);
            return null;
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested && !runToken.IsCancellationRequested)
        {
            exchange.Failure = TransportFailure.Timeout;
            exchange.FailureDetail = $"no complete response within {_options.RequestTimeout.TotalSeconds:0.###}s";
            return null;
        }
        catch (OperationCanceledException) when (runToken.IsCancellationRequested)
        {
            exchange.Failure = TransportFailure.RunTimeout;
            exchange.FailureDetail = "run timeout elapsed during the request";
            return null;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException)
        {
            exchange.Failure = TransportFailure.Connection;
            exchange.FailureDetail = _redactor.Redact(ex.GetBaseException().Message);
            return exchange.Status is null && client == _http && IsRace(ex) ? exchange.FailureDetail : null;
        }
        catch (FormatException)
        {
            // E.g. a key with a newline or non-ASCII character: the header cannot be formed. The message may quote the key.
            exchange.Failure = TransportFailure.Connection;
            exchange.FailureDetail = "the request could not be formed: a header value (the API key?) has control or non-ASCII characters";
            return null;
        }
        finally
        {
            if (exchange.Status is not null)
            {
                Interlocked.Increment(ref _responseCount);
            }
        }
    }

    /// <summary>
    /// Whether a failure happened on a connection that was up: the response ended or the connection was reset before
    /// any byte. Failures to connect (refused, unknown host, TLS) and answers that are not HTTP are not races: a retry
    /// would meet them again. HttpClient does not say whether the connection was a pooled one, so every such failure
    /// gets its one retry; it costs one request more against a server that really resets.
    /// </summary>
    private static bool IsRace(Exception ex) => ex switch
    {
        HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded } => true,
        HttpRequestException { HttpRequestError: HttpRequestError.Unknown } http => http.InnerException is IOException,
        IOException => true,
        _ => false,
    };

    private async Task SendOnceAsync(HttpClient client, RequestSpec spec, Exchange exchange, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(spec.Method, exchange.Url);

        // On the fresh-connection client, say so to the server too.
        request.Headers.ConnectionClose = client == _fresh ? true : null;
        if (spec.Body is not null)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(spec.Body));

            // Set without validation: the content-type check sends a value the typed header would normalise.
            content.Headers.TryAddWithoutValidation("Content-Type", spec.ContentType);
            request.Content = content;
        }

        var key = spec.Auth switch
        {
            AuthMode.Configured => _options.ApiKey,
            AuthMode.Wrong => WrongKey,
            _ => null,
        };
        if (!string.IsNullOrEmpty(key))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        foreach (var (name, value) in HeadersFor(spec))
        {
            request.Headers.TryAddWithoutValidation(name, value); // validated up front (ExtraHeaders.Validate)
        }

        if (spec.Stream)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        exchange.Status = (int)response.StatusCode;
        exchange.ContentType = response.Content.Headers.TryGetValues("Content-Type", out var types) ? string.Join(", ", types) : null;
        exchange.RetryAfter = response.Headers.TryGetValues("Retry-After", out var retry) ? string.Join(", ", retry) : null;
        exchange.ShouldRetry = response.Headers.TryGetValues("x-should-retry", out var shouldRetry) ? string.Join(", ", shouldRetry) : null;
        RecordRateLimits(exchange, response);

        var sse = spec.Stream ? new SseReader(_redactor.Cut) : null;
        exchange.Sse = sse;
        using var body = new MemoryStream();
        await using (var stream = await response.Content.ReadAsStreamAsync(ct))
        {
            var buffer = new byte[16 * 1024];
            while (true)
            {
                var read = await stream.ReadAsync(buffer, ct);
                if (read == 0)
                {
                    break;
                }

                var room = _options.MaxBodyBytes - (int)body.Length;
                body.Write(buffer, 0, Math.Min(read, Math.Max(0, room)));
                sse?.Feed(buffer.AsSpan(0, Math.Min(read, Math.Max(0, room))));
                if (read > room)
                {
                    exchange.Failure = spec.Stream ? TransportFailure.StreamCapReached : TransportFailure.BodyTooLarge;
                    exchange.FailureDetail = $"body exceeded {_options.MaxBodyBytes} bytes; reading stopped";
                    break;
                }

                if (sse is not null && spec.AbandonAfterEvents > 0 && sse.Events.Count >= spec.AbandonAfterEvents)
                {
                    // A bounded probe (RequestSpec.AbandonAfterEvents): leave without draining, so a server that
                    // would generate until its context is full stops at its next write.
                    exchange.Abandoned = true;
                    break;
                }

                if (sse is not null && sse.Events.Count > _options.MaxStreamEvents)
                {
                    exchange.Failure = TransportFailure.StreamCapReached;
                    exchange.FailureDetail = $"stream exceeded {_options.MaxStreamEvents} events; reading stopped";
                    break;
                }
            }
        }

        sse?.Complete();
        exchange.Body = body.ToArray();
    }
}
