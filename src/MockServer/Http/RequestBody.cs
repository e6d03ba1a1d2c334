using System.Buffers;
using System.IO.Pipelines;
using System.Net.Http.Headers;
using MockServer.Errors;

namespace MockServer.Http;

/// <summary>Reads a JSON request body under a size limit, before anything else looks at it.</summary>
internal static class RequestBody
{
    /// <summary>
    /// <c>application/json</c>, with no charset or UTF-8: the body is read as UTF-8 (RFC 8259 §8.1), so another
    /// declared charset would be misread rather than refused.
    /// </summary>
    public static bool IsJson(string? contentType) =>
        // The header almost every client sends, answered without parsing it (and allocating) per request.
        string.Equals(contentType, "application/json", StringComparison.Ordinal)
        || (MediaTypeHeaderValue.TryParse(contentType, out var media)
            && string.Equals(media.MediaType, "application/json", StringComparison.OrdinalIgnoreCase)
            && (media.CharSet is null || media.CharSet.Trim('"').Replace("-", "", StringComparison.Ordinal).Equals("utf8", StringComparison.OrdinalIgnoreCase)));

    /// <summary>The body bytes, or an error: 413 past <paramref name="limit"/>, checked on the header and while reading.</summary>
    public static async Task<(ReadOnlySequence<byte> Body, ApiError? Error)> ReadAsync(HttpRequest request, long limit, CancellationToken cancellationToken)
    {
        if (request.ContentLength > limit)
        {
            return (default, ApiError.BodyTooLarge(limit));
        }

        var reader = request.BodyReader;
        while (true)
        {
            ReadResult read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (buffer.Length > limit)
            {
                reader.AdvanceTo(buffer.End);
                return (default, ApiError.BodyTooLarge(limit));
            }

            if (read.IsCompleted)
            {
                // Copy out so the pipe can be released; bodies are small and bounded by the limit.
                var copy = new ReadOnlySequence<byte>(buffer.ToArray());
                reader.AdvanceTo(buffer.End);
                return (copy, null);
            }

            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }
}
