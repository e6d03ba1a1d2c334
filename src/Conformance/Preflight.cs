using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Conformance.Http;

namespace Conformance;

/// <summary>
/// A few cheap requests before the checks that tell a wrong target from a non-conforming one: nothing listening, a port
/// that does not speak HTTP, a base URL that answers 404 everywhere, a key refused everywhere. Each becomes one line that
/// says what is wrong and what to try, instead of every check failing with the same transport error.
/// </summary>
/// <remarks>
/// Cost: <c>GET {base}/models</c>; only when that answers 401, 403 or 404, one <c>POST {base}/completions</c> whose body
/// is <c>{"model": M, "max_tokens": 1}</c> with the configured model (<c>{"max_tokens": 1}</c> without one; no prompt: a
/// strict server refuses it without generating, a lenient one that generates on anything stops after one token; a 404
/// about the model means the route exists); only when both answer 404
/// and the base lacks <c>/v1</c>,
/// <c>GET {base}/v1/models</c> to see whether that is what was meant. A probe whose connection was made but that gets no
/// answer within <see cref="MaxTimeout"/> (or the request timeout, if shorter) is not a verdict: a server busy starting may
/// answer the checks later, so the checks run and their timeouts apply. A TCP connect that does not complete within that
/// time is one: a starting server's kernel still completes the handshake. A connection closed without an answer, or reset, on the
/// first probe is tried once more after <see cref="RetryPause"/>: a port-forward or docker-proxy in front of a backend
/// that is still starting accepts and closes connections, and a false stop on a healthy server is worse than a late verdict.
/// A second close or reset stops the run (two resets are most often <c>http://</c> sent to an https port). A 400 on the
/// models probe whose body is Go's "Client sent an HTTP request to an HTTPS server." names the https URL.
/// </remarks>
internal static class Preflight
{
    /// <summary>What to do when no key was sent and one is required; the matrix names the target's variable instead.</summary>
    public const string NoKeyHint = "pass --api-key or set OPENAI_API_KEY";

    /// <summary>What to do when the key was refused; the matrix names the target's variable instead.</summary>
    public const string RefusedKeyHint = "check --api-key or OPENAI_API_KEY";

    /// <summary>The longest a preflight probe waits for an answer.</summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(5);

    /// <summary>The pause, on the options' clock, before the one retry of a probe whose connection was closed or reset.</summary>
    public static readonly TimeSpan RetryPause = TimeSpan.FromSeconds(1);

    private enum Kind
    {
        Answered,
        Unreachable,
        NotHttp,
        NoAnswer,

        /// <summary>The TCP connection did not complete in time: nothing at that address completes a handshake.</summary>
        ConnectTimedOut,

        /// <summary>The connection was accepted, then closed before any response byte.</summary>
        Closed,

        /// <summary>The connection was reset (RST) before any response byte.</summary>
        Reset,

        /// <summary>The connection failed some other way (an error .NET does not classify): not a verdict.</summary>
        Failed,
    }

    /// <summary>The most bytes of a 404 body the preflight reads to tell a missing route from a missing model.</summary>
    private const int MaxBodyBytes = 16 * 1024;

    /// <summary>The most bytes of a 400 body the preflight reads to recognise plain HTTP sent to an https port.</summary>
    private const int MaxHintBytes = 4 * 1024;

    /// <summary>
    /// What one probe got: a status, or why not; <c>AboutModel</c> when a 404's body is an error about the model;
    /// <c>HttpsPort</c> when a 400's body is Go's answer to plain HTTP on a TLS port.
    /// </summary>
    private readonly record struct Probe(Kind Kind, int Status = 0, string Reason = "", bool AboutModel = false, bool HttpsPort = false);

    /// <summary>Where the connect callback records, per request, whether its TCP connection completed.</summary>
    private static readonly HttpRequestOptionsKey<ConnectState> ConnectKey = new("Conformance.Preflight.Connect");

    /// <summary>Whether a probe's TCP connect completed, or ran out of time.</summary>
    private sealed class ConnectState
    {
        private volatile bool _connected;
        private volatile bool _timedOut;

        public bool Connected { get => _connected; set => _connected = value; }

        public bool TimedOut { get => _timedOut; set => _timedOut = value; }
    }

    public static async Task<string?> RunAsync(ConformanceOptions options, CancellationToken cancellationToken)
    {
        var baseUrl = EndpointClient.WithoutUserInfo(options.BaseUrl);
        var shown = baseUrl.AbsoluteUri.TrimEnd('/');
        var timeout = options.RequestTimeout < MaxTimeout ? options.RequestTimeout : MaxTimeout;
        using var http = new HttpClient(
            new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                // The connect is bounded by ConnectAsync below, on the options' clock; this handler-level one would use the
                // real clock and could not be told apart from a request that got no answer.
                ConnectTimeout = Timeout.InfiniteTimeSpan,
                ConnectCallback = (context, ct) => ConnectAsync(context, timeout, options.TimeProvider, ct),
                MaxResponseDrainSize = 0,
                PooledConnectionLifetime = TimeSpan.Zero,
            },
            disposeHandler: true)
        { Timeout = Timeout.InfiniteTimeSpan };

        async Task<Probe> SendAsync(HttpMethod method, string url, string? body, bool readNotFound = false, bool readHttpsHint = false)
        {
            using var request = new HttpRequestMessage(method, url);
            var connect = new ConnectState();
            request.Options.Set(ConnectKey, connect);
            try
            {
                if (!string.IsNullOrEmpty(options.ApiKey))
                {
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
                }
            }
            catch (FormatException)
            {
                // A key that cannot be a header: the checks report it (without the key); the preflight has nothing to add.
                return new Probe(Kind.NoAnswer);
            }

            foreach (var (name, value) in options.Headers)
            {
                // A gateway may need its routing header to answer at all; the stream-only headers are for stream requests.
                request.Headers.TryAddWithoutValidation(name, value);
            }

            if (body is not null)
            {
                request.Content = new StringContent(body, Encoding.UTF8, "application/json");
            }

            using var deadline = new CancellationTokenSource(timeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            try
            {
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token);
                var status = (int)response.StatusCode;
                var aboutModel = readNotFound && status == 404 && IsAboutModel(await ReadCappedAsync(response.Content, MaxBodyBytes, linked.Token));
                var httpsPort = readHttpsHint && status == 400 && baseUrl.Scheme == Uri.UriSchemeHttp
                    && IsHttpsHint(await ReadCappedAsync(response.Content, MaxHintBytes, linked.Token));
                return new Probe(Kind.Answered, status, AboutModel: aboutModel, HttpsPort: httpsPort);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // A server that is starting still completes the handshake (the kernel does); a connect that never
                // completes is a wrong address, a firewall that drops packets, or a VPN that is off.
                return connect.Connected ? new Probe(Kind.NoAnswer) : new Probe(Kind.ConnectTimedOut);
            }
            catch (HttpRequestException ex)
            {
                return connect.TimedOut ? new Probe(Kind.ConnectTimedOut) : Classify(ex, baseUrl);
            }
            catch (IOException ex)
            {
                return new Probe(IsReset(ex) ? Kind.Reset : Kind.Failed);
            }
        }

        var models = await SendAsync(HttpMethod.Get, shown + "/models", null, readHttpsHint: true);
        var first = models.Kind;
        if (first is Kind.Closed or Kind.Reset or Kind.Failed)
        {
            await Task.Delay(RetryPause, options.TimeProvider, cancellationToken);
            models = await SendAsync(HttpMethod.Get, shown + "/models", null, readHttpsHint: true);
        }

        switch (models.Kind)
        {
            case Kind.Unreachable:
                return $"cannot connect to {shown}: {models.Reason}";
            case Kind.ConnectTimedOut:
                return string.Create(CultureInfo.InvariantCulture, $"cannot connect to {shown}: the connection timed out after {timeout.TotalSeconds:0.###}s; is the host reachable?");
            case Kind.NotHttp:
                return $"{shown} does not speak HTTP: {models.Reason}; check the host and port in --base-url";
            case Kind.Reset when first == Kind.Reset:
                // An OpenSSL-based TLS server reads the first record header of a plain-HTTP request and drops the
                // connection with the rest unread, so the kernel resets it; a starting backend behind a proxy can too.
                return $"{shown} reset the connection twice; is this an https:// port, or is the server still starting? check the scheme, host and port in --base-url";
            case Kind.Closed or Kind.Reset when first is Kind.Closed or Kind.Reset:
                // Exit 2 still (a port that does not speak HTTP must stop the run), but the message names both causes.
                return $"{shown} closed the connection twice without an answer; is the server still starting, or is this not an HTTP port? check the host and port in --base-url";
            case Kind.NoAnswer or Kind.Closed or Kind.Reset or Kind.Failed:
                return null;
            default:
                break;
        }

        if (models.HttpsPort)
        {
            return $"{shown} is an https:// port: did you mean https{shown["http".Length..]}?";
        }

        if (models.Status is not (401 or 403 or 404))
        {
            return null;
        }

        // The configured model, so that a server whose 404 for a missing model is not an OpenAI envelope (FastAPI's
        // {"detail": ...}, Ollama's {"error": "model '' not found"}) is not taken for a missing route; still no prompt.
        var probe = string.IsNullOrEmpty(options.Model)
            ? "{\"max_tokens\": 1}"
            : "{\"model\": " + JsonSerializer.Serialize(options.Model) + ", \"max_tokens\": 1}";
        var completions = await SendAsync(HttpMethod.Post, shown + "/completions", probe, readNotFound: true);
        if (completions.Kind != Kind.Answered || completions.AboutModel)
        {
            // A 404 about the model comes from a /completions route that exists.
            return null;
        }

        var statuses = models.Status == completions.Status
            ? string.Create(CultureInfo.InvariantCulture, $"HTTP {models.Status} on /models and /completions")
            : string.Create(CultureInfo.InvariantCulture, $"HTTP {models.Status} on /models, {completions.Status} on /completions");
        if (completions.Status is 401 or 403)
        {
            // Never the key itself, not even a part of it: only whether one was sent.
            return string.IsNullOrEmpty(options.ApiKey)
                ? $"the endpoint requires a key ({statuses}): {NoKeyHint}"
                : $"the endpoint refused the key ({statuses}); {RefusedKeyHint}";
        }

        if (completions.Status != 404 || models.Status != 404)
        {
            return null;
        }

        var path = baseUrl.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/v1", StringComparison.OrdinalIgnoreCase))
        {
            var withV1 = shown + "/v1";
            var guess = await SendAsync(HttpMethod.Get, withV1 + "/models", null);
            if (guess.Kind == Kind.Answered && guess.Status != 404)
            {
                return $"{shown} answers 404 on /models and /completions; did you mean {withV1}?";
            }
        }

        return $"{shown} answers 404 on /models and /completions; check the path in --base-url (the URL under which /completions is served, usually ending in /v1)";
    }

    /// <summary>
    /// Opens the probe's TCP connection under <paramref name="timeout"/> on <paramref name="clock"/> and records on the
    /// request whether it completed, so that a connect that never completes is told apart from a request that got no answer.
    /// </summary>
    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        context.InitialRequestMessage.Options.TryGetValue(ConnectKey, out var state);
        using var deadline = new CancellationTokenSource(timeout, clock);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, linked.Token);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            state?.TimedOut = true;
            throw new TimeoutException("the connection timed out");
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        state?.Connected = true;
        return new NetworkStream(socket, ownsSocket: true);
    }

    private static Probe Classify(HttpRequestException ex, Uri baseUrl) => IsReset(ex) ? new Probe(Kind.Reset) : ex.HttpRequestError switch
    {
        HttpRequestError.NameResolutionError => new Probe(Kind.Unreachable, Reason: $"the host '{baseUrl.Host}' was not found; check the host in --base-url"),
        HttpRequestError.ConnectionError => new Probe(Kind.Unreachable, Reason: ex.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused }
            ? "connection refused; is the server running?"
            : OneLine(ex.GetBaseException().Message) + "; is the server running?"),
        HttpRequestError.SecureConnectionError => new Probe(Kind.Unreachable, Reason: "the TLS handshake failed; does the server speak https, or did you mean http://?"),
        HttpRequestError.ResponseEnded => new Probe(Kind.Closed),
        HttpRequestError.InvalidResponse or HttpRequestError.HttpProtocolError => new Probe(Kind.NotHttp, Reason: "it answered with bytes that are not an HTTP response"),
        _ => new Probe(Kind.Failed),
    };

    /// <summary>
    /// Whether a 404 body is an OpenAI error envelope about the model (<c>code: model_not_found</c>, or <c>param:
    /// model</c>): then the route exists and refused the probe's model (or the lack of one), as OpenAI and vLLM do. A
    /// 404 with code <c>unknown_url</c> (OpenAI's, and the mock's, answer to a route it does not serve) is a missing
    /// route whatever its param says. The body is never shown: it could echo the key.
    /// </summary>
    private static bool IsAboutModel(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("error", out var error)
                || error.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var code = Text(error, "code");
            return code != "unknown_url" && (code == "model_not_found" || Text(error, "param") == "model");
        }
        catch (JsonException)
        {
            return false;
        }

        static string? Text(JsonElement error, string name) =>
            error.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }

    /// <summary>
    /// Whether a 400's body is what Go's net/http (and so Caddy and other Go servers) answers a plain-HTTP request on a
    /// TLS port. The body is never shown.
    /// </summary>
    private static bool IsHttpsHint(ReadOnlyMemory<byte> body) =>
        Encoding.UTF8.GetString(body.Span).Contains("Client sent an HTTP request to an HTTPS server", StringComparison.Ordinal);

    /// <summary>Reads at most <paramref name="cap"/> bytes of a body; a longer one is cut (and then does not parse).</summary>
    private static async Task<ReadOnlyMemory<byte>> ReadCappedAsync(HttpContent content, int cap, CancellationToken cancellationToken)
    {
        var buffer = new byte[cap];
        var length = 0;
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        int read;
        while (length < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken)) > 0)
        {
            length += read;
        }

        return buffer.AsMemory(0, length);
    }

    private static bool IsReset(Exception ex)
    {
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is SocketException { SocketErrorCode: SocketError.ConnectionReset })
            {
                return true;
            }
        }

        return false;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");
}
