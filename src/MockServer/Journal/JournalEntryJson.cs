using System.Text.Json;

namespace MockServer.Journal;

/// <summary>
/// A <see cref="JournalEntry"/> as JSON, snake_case, every field present (null when unknown) so a reader sees one
/// shape. Written field by field, like the other admin answers: no reflection, and nothing leaves that is not named
/// here (the headers are already redacted by <see cref="JournalHeaders"/>).
/// </summary>
internal static class JournalEntryJson
{
    /// <summary>Writes the entry; <paramref name="withResponse"/> adds <c>response</c> and <c>response_truncated</c> (one entry's detail, not the list).</summary>
    public static void Write(Utf8JsonWriter w, JournalEntry e, bool withResponse = false)
    {
        w.WriteStartObject();
        w.WriteNumber("sequence", e.Sequence);
        w.WriteString("time", e.Time);
        w.WriteString("method", e.Method);
        w.WriteString("path", e.Path);
        w.WriteStartObject("headers");
        foreach (var (name, value) in e.Headers)
        {
            w.WriteString(name, value);
        }

        w.WriteEndObject();
        w.WriteString("body", e.Body);
        w.WriteBoolean("body_truncated", e.BodyTruncated);
        w.WriteString("request_hash", e.RequestHash);
        w.WriteString("model", e.Model);
        w.WriteString("session", e.Session);
        w.WriteString("answered_by", e.AnsweredBy);
        w.WriteString("fixture", e.Fixture);
        w.WriteStartArray("near_misses");
        foreach (var miss in e.NearMisses)
        {
            w.WriteStringValue(miss);
        }

        w.WriteEndArray();
        w.WriteString("fault", e.Fault);
        w.WriteNumber("status", e.Status);
        if (e.RetryAfterSeconds is { } seconds)
        {
            w.WriteNumber("retry_after_seconds", seconds);
        }
        else
        {
            w.WriteNull("retry_after_seconds");
        }

        w.WriteBoolean("stream", e.Stream);
        w.WriteNumber("frames", e.Frames);
        w.WriteBoolean("done", e.Done);
        w.WriteNumber("duration_ms", e.Duration.TotalMilliseconds);
        w.WriteBoolean("left_early", e.LeftEarly);
        if (withResponse)
        {
            w.WriteString("response", e.Response);
            w.WriteBoolean("response_truncated", e.ResponseTruncated);
        }

        w.WriteEndObject();
    }
}
