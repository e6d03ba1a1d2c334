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
/// Retry-After handling on 429/503 (spec-facts §6.2, §6.4). It never throws for what the endpoint does; it records.
/// </summary>
internal sealed class EndpointClient : IDisposable
{
    /// <summary>The key sent by the wrong-key check; it cannot be a real key.</summary>
    public const string WrongKey = "conformance-wrong-key-0000";

    private readonly ConformanceOptions _options;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _concurrency;
    private readonly Redactor _redactor;
    private readonly ConcurrentQueue<Exchange> _log = new();
    private long _retryWaitTicks;
    private int _retryCount;

    public EndpointClient(ConformanceOptions options, TokenBudget budget, Redactor redactor)
    {
        _options = options;
        Budget = budget;
        _redactor = redactor;
        _concurrency = new SemaphoreSlim(Math.Max(1, options.MaxConcurrency));
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout,
            AllowAutoRedirect = false,
            AutomaticDecompression = System.Net.DecompressionMethods.None,

            // A response cut at our byte or event cap is abandoned, not drained: draining an endless or hostile
            // stream reads up to 1 MB for up to 2 s per response just to reuse a connection to a broken endpoint.
            MaxResponseDrainSize = 0,
        };

        // Our own timeouts apply (per request, per run); HttpClient's would hide which one fired.
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
    }

    public TokenBudget Budget { get; }

    /// <summary>Gets every exchange recorded so far, in completion order.</summary>
    public IReadOnlyCollection<Exchange> Log => _log;

    public int RetryCount => _retryCount;

    public TimeSpan RetryWait => TimeSpan.FromTicks(Interlocked.Read(ref _retryWaitTicks));

    public void Dispose()
    {
        _http.Dispose();
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
                if (attempt >= _options.MaxRetries || wait > _options.MaxRetryWait)
                {
                    // Bounded: report the last 429/503 instead of waiting longer than the run allows.
                    exchange.Retries.Add(new AttemptRecord(exchange.Status.Value, exchange.RetryAfter, valid, TimeSpan.Zero, excerpt));
                    exchange.FailureDetail = tooLong
                        ? $"Retry-After '{_redactor.Excerpt(exchange.RetryAfter ?? string.Empty, 40)}' is too long to honour (bound {_options.MaxRetryWait.TotalSeconds:0.#}s); not retried"
                        : wait > _options.MaxRetryWait
                        ? $"Retry-After {wait.TotalSeconds:0.#}s exceeds the bound of {_options.MaxRetryWait.TotalSeconds:0.#}s; not retried"
                        : $"gave up after {attempt + 1} attempts";
                    break;
                }

                exchange.Retries.Add(new AttemptRecord(exchange.Status.Value, exchange.RetryAfter, valid, wait, excerpt));
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
                    Budget.Settle(spec.TokenEstimate, TokensSpent(exchange));
                }
            }
            finally
            {
                _log.Enqueue(exchange);
            }
        }

        return exchange;
    }

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

    /// <summary>What the exchange cost: the reported <c>total_tokens</c>, else the estimate. Total: it never throws.</summary>
    private static long TokensSpent(Exchange exchange)
    {
        try
        {
            if (exchange.Status is not (>= 200 and < 300))
            {
                // A rejected or failed request generated nothing that the endpoint could bill.
                return exchange.Failure is TransportFailure.None or TransportFailure.BudgetExhausted ? 0 : exchange.Spec.TokenEstimate;
            }

            JsonNode? usage = null;
            if (exchange.Sse is { } sse)
            {
                foreach (var ev in sse.Events)
                {
                    usage = Exchange.ParseStrict(ev.Data, out _)?["usage"] ?? usage;
                }
            }
            else
            {
                usage = (exchange.Json as JsonObject)?["usage"];
            }

            return Json.Int(usage?["total_tokens"]) is { } total && total >= 0 ? total : exchange.Spec.TokenEstimate;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or FormatException or System.Text.Json.JsonException)
        {
            // A body the checks will report on must not stop the budget from settling.
            return exchange.Spec.TokenEstimate;
        }
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

        if (spec.Body is not null)
        {
            sb.Append("Content-Type: ").Append(spec.ContentType).Append("\n\n").Append(_redactor.Excerpt(spec.Body, 1_000));
        }

        return _redactor.Redact(sb.ToString());
    }

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
            exchange.Attempts++;
            using var timeout = new CancellationTokenSource(_options.RequestTimeout, _options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(runToken, timeout.Token);
            try
            {
                await SendOnceAsync(spec, exchange, linked.Token);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !runToken.IsCancellationRequested)
            {
                exchange.Failure = TransportFailure.Timeout;
                exchange.FailureDetail = $"no complete response within {_options.RequestTimeout.TotalSeconds:0.###}s";
            }
            catch (OperationCanceledException) when (runToken.IsCancellationRequested)
            {
                exchange.Failure = TransportFailure.RunTimeout;
                exchange.FailureDetail = "run timeout elapsed during the request";
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidOperationException)
            {
                exchange.Failure = TransportFailure.Connection;
                exchange.FailureDetail = _redactor.Redact(ex.GetBaseException().Message);
            }
            catch (FormatException)
            {
                // E.g. a key with a newline or non-ASCII character: the header cannot be formed. The message may quote the key.
                exchange.Failure = TransportFailure.Connection;
                exchange.FailureDetail = "the request could not be formed: a header value (the API key?) has control or non-ASCII characters";
            }
        }
        finally
        {
            _concurrency.Release();
        }
    }

    private async Task SendOnceAsync(RequestSpec spec, Exchange exchange, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(spec.Method, exchange.Url);
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

        if (spec.Stream)
        {
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        }

        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        exchange.Status = (int)response.StatusCode;
        exchange.ContentType = response.Content.Headers.TryGetValues("Content-Type", out var types) ? string.Join(", ", types) : null;
        exchange.RetryAfter = response.Headers.TryGetValues("Retry-After", out var retry) ? string.Join(", ", retry) : null;

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
