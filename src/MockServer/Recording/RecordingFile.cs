using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace MockServer.Recording;

/// <summary>
/// The recording file format (<c>schemas/recording.schema.json</c>): one exchange per file, frames and bodies as text
/// (or base64 when not UTF-8), offsets in milliseconds with microsecond precision.
/// </summary>
internal static class RecordingFile
{
    public const int Version = 1;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static readonly JsonWriterOptions Indented = new() { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The file name stem: the endpoint and a hash of the key, so a request's recordings sort together.</summary>
    public static string Stem(RecordedExchange exchange) =>
        $"{exchange.Endpoint}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(exchange.Key)))[..12]}";

    public static byte[] Write(RecordedExchange exchange, Uri upstream)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, Indented))
        {
            w.WriteStartObject();
            w.WriteNumber("recording", Version);
            w.WriteString("upstream", upstream.ToString());
            w.WriteString("endpoint", exchange.Endpoint);
            w.WriteString("method", exchange.Method);
            w.WriteString("path", exchange.Path);
            w.WriteBoolean("pinned", exchange.Pinned);
            w.WritePropertyName("match");
            using (var match = JsonDocument.Parse(exchange.Match))
            {
                match.RootElement.WriteTo(w);
            }

            w.WriteStartObject("response");
            w.WriteNumber("status", exchange.Status);
            w.WriteStartObject("headers");
            foreach (var (name, value) in exchange.Headers)
            {
                w.WriteString(name.ToLowerInvariant(), value);
            }

            w.WriteEndObject();
            if (exchange.Frames is { } frames)
            {
                w.WriteStartArray("frames");
                foreach (var frame in frames)
                {
                    w.WriteStartObject();
                    w.WriteNumber("offset_ms", Milliseconds(frame.Offset));
                    WriteBytes(w, "text", "base64", frame.Bytes);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                if (exchange.Reset)
                {
                    w.WriteBoolean("reset", true);
                }
            }
            else
            {
                w.WriteNumber("offset_ms", Milliseconds(exchange.BodyOffset));
                WriteBytes(w, "body", "body_base64", exchange.Body);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads a file the schema has accepted (<see cref="RecordingLoader"/> checks what the schema cannot).</summary>
    public static RecordedExchange Read(string name, JsonElement root, Func<string, string, Exception> at)
    {
        var response = root.GetProperty("response");
        var headers = response.TryGetProperty("headers", out var h) ? Headers(h, at) : [];
        List<RecordedFrame>? frames = null;
        if (response.TryGetProperty("frames", out var array))
        {
            frames = [];
            var previous = TimeSpan.Zero;
            var i = 0;
            foreach (var frame in array.EnumerateArray())
            {
                var path = $"$.response.frames[{i}]";
                var offset = Offset(frame.GetProperty("offset_ms"));
                if (offset < previous)
                {
                    throw at($"{path}.offset_ms", "frames are in the order they arrived, so an offset must not be less than the one before it");
                }

                frames.Add(new RecordedFrame(Bytes(frame, "text", "base64", path, at), offset));
                previous = offset;
                i++;
            }
        }

        var status = response.GetProperty("status").GetInt32();
        ReadOnlyMemory<byte> body = frames is null ? Bytes(response, "body", "body_base64", "$.response", at) : default;
        if (!HeaderRules.HasBody(status) && (frames is { Count: > 0 } || body.Length > 0))
        {
            // Kestrel refuses to send a body with these (RFC 9110 §15.3.5, §15.4.5): replay would fail mid-answer.
            throw at(frames is null ? (response.TryGetProperty("body", out _) ? "$.response.body" : "$.response.body_base64") : "$.response.frames",
                string.Create(CultureInfo.InvariantCulture, $"a {status} answer has no body, so its body must be empty and its frames none"));
        }

        return new RecordedExchange
        {
            Name = name,
            Endpoint = root.GetProperty("endpoint").GetString()!,
            Method = root.GetProperty("method").GetString()!,
            Path = root.GetProperty("path").GetString()!,
            Match = MatchKeys.Canonical(root.GetProperty("match")),
            Pinned = root.TryGetProperty("pinned", out var pinned) && pinned.GetBoolean(),
            Status = status,
            Headers = headers,
            Frames = frames,
            Body = body,
            BodyOffset = frames is null && response.TryGetProperty("offset_ms", out var o) ? Offset(o) : TimeSpan.Zero,
            Reset = response.TryGetProperty("reset", out var reset) && reset.GetBoolean(),
        };
    }

    /// <summary>
    /// The recorded headers, checked as the schema says (a hand edit can break what the writer never does): only the
    /// allow-listed names, and values without CR, LF or other control characters, which replay could not send.
    /// </summary>
    private static List<KeyValuePair<string, string>> Headers(JsonElement headers, Func<string, string, Exception> at)
    {
        var list = new List<KeyValuePair<string, string>>();
        foreach (var header in headers.EnumerateObject())
        {
            var path = $"$.response.headers['{header.Name.Replace("'", "\\'", StringComparison.Ordinal)}']";
            if (!HeaderRules.IsRecorded(header.Name) || !header.Name.Equals(header.Name.ToLowerInvariant(), StringComparison.Ordinal))
            {
                throw at(path, "only content-type and retry-after are recorded (in lower case); no other header is replayed");
            }

            var value = header.Value.GetString()!;
            if (value.Any(c => char.IsControl(c) && c != '\t'))
            {
                throw at(path, "a header value is one line without control characters (no CR or LF)");
            }

            list.Add(KeyValuePair.Create(header.Name, value));
        }

        return list;
    }

    /// <summary>Milliseconds, rounded to the microsecond: enough for any network timing, and short to read.</summary>
    private static double Milliseconds(TimeSpan offset) => Math.Round(offset.TotalMilliseconds, 3);

    private static TimeSpan Offset(JsonElement ms) => TimeSpan.FromTicks((long)Math.Round(ms.GetDouble() * TimeSpan.TicksPerMillisecond));

    private static void WriteBytes(Utf8JsonWriter w, string textName, string base64Name, ReadOnlyMemory<byte> bytes)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(bytes.Span);
        }
        catch (DecoderFallbackException)
        {
            w.WriteBase64String(base64Name, bytes.Span); // not text: kept exactly all the same
            return;
        }

        w.WriteString(textName, text);
    }

    private static byte[] Bytes(JsonElement owner, string textName, string base64Name, string path, Func<string, string, Exception> at)
    {
        if (owner.TryGetProperty(textName, out var text))
        {
            return Encoding.UTF8.GetBytes(text.GetString()!);
        }

        var value = owner.GetProperty(base64Name);
        return value.TryGetBytesFromBase64(out var bytes)
            ? bytes
            : throw at($"{path}.{base64Name}", string.Create(CultureInfo.InvariantCulture, $"it is not base64"));
    }
}
