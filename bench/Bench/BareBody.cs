using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Bench;

/// <summary>What both baseline handlers do with a request body: read it whole from the pipe and deserialize it.</summary>
internal static class BareBody
{
    /// <summary>The request, or null when the body is not a JSON object of the expected shape.</summary>
    public static async Task<T?> ReadAsync<T>(PipeReader reader, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            if (read.IsCompleted)
            {
                var request = Parse(read.Buffer, type);
                reader.AdvanceTo(read.Buffer.End);
                return request;
            }

            reader.AdvanceTo(read.Buffer.Start, read.Buffer.End);
        }
    }

    private static T? Parse<T>(ReadOnlySequence<byte> body, JsonTypeInfo<T> type)
        where T : class
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            return JsonSerializer.Deserialize(ref reader, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
