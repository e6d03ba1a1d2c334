using System.Text;
using System.Text.Json;
using MockServer.Dialects;
using MockServer.Endpoints;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Wire;

namespace MockServer.Chat;

/// <summary>
/// Writes a streamed chat completion as the model's dialect says (spec-facts §5, §12.2, §13): per choice a role
/// chunk, one delta per token (content, or tool-call fragments as OpenAI streams them), the finish where the
/// dialect puts it, usage where the dialect puts it, then <c>data: [DONE]</c>. Each frame is flushed as written;
/// <c>id</c>, <c>created</c> and <c>model</c> are constant. Chunks are written straight to the pipe with one reused
/// <see cref="Utf8JsonWriter"/>: the key set differs by dialect (absent vs null keys), which a fixed wire class
/// cannot say without a graph per frame.
/// </summary>
internal static class ChatStreamWriter
{
    private enum Kind
    {
        Role,
        Content,
        ToolHeader,
        ToolArguments,
        Finish,
    }

    /// <summary>One chunk of one choice: for content and arguments, the text and the tokens [From, To) it stands for.</summary>
    private readonly record struct Frame(Kind Kind, ChatChoiceOutput Choice, string Text, int From, int To, int Call, bool Finishes);

    public static async Task WriteAsync(
        HttpContext context,
        string id,
        long created,
        ChatRequest request,
        CompletionResult result,
        IReadOnlyList<ChatChoiceOutput> choices,
        MockServerOptions options,
        CancellationToken cancellationToken)
    {
        var dialect = request.Model.Dialect;
        var usage = new Usage { PromptTokens = result.PromptTokens, CompletionTokens = result.CompletionTokens };
        var separateUsage = dialect.Usage == UsagePlacement.SeparateChunkWhenIncluded && request.IncludeUsage == true;
        var header = new ChunkHeader(id, created, request.Model.Root, dialect, request.Logprobs, separateUsage && dialect.UsageNullWhenIncluded);

        using var sink = SseSink.Start(context, options, cancellationToken);
        var frames = Interleave(choices, dialect);
        for (var f = 0; f < frames.Count; f++)
        {
            // The seed provider's usage rides on the final chunk of the stream, which carries the last finish (§13).
            var last = f == frames.Count - 1;
            var withUsage = last && dialect.Usage == UsagePlacement.FinalChunkAlways ? usage : null;
            WriteFrame(sink.BeginEvent(), header, frames[f], withUsage);
            await sink.EndEventAsync().ConfigureAwait(false);
            await sink.PaceAsync().ConfigureAwait(false);
        }

        if (separateUsage)
        {
            var json = sink.BeginEvent();
            header.WriteStart(json);
            json.WriteStartArray("choices"u8);
            json.WriteEndArray();
            WriteUsage(json, usage);
            json.WriteEndObject();
            sink.EndEvent(); // leaves with [DONE], in one flush
        }

        await sink.DoneAsync().ConfigureAwait(false);
    }

    /// <summary>Every choice's frames, round-robin (as vLLM interleaves choices), each choice ending with its finish.</summary>
    private static List<Frame> Interleave(IReadOnlyList<ChatChoiceOutput> choices, Dialect dialect)
    {
        if (choices.Count == 1)
        {
            return FramesOf(choices[0], dialect); // nothing to interleave, so no second list
        }

        var perChoice = choices.Select(c => FramesOf(c, dialect)).ToList();
        var all = new List<Frame>(perChoice.Sum(f => f.Count));
        all.AddRange(FrameGroups.RoundRobin(perChoice));
        return all;
    }

    private static List<Frame> FramesOf(ChatChoiceOutput choice, Dialect dialect)
    {
        var withLast = dialect.Finish == FinishPlacement.WithLastContent;
        var frames = new List<Frame>(choice.Result.Tokens.Count + 3) { new(Kind.Role, choice, "", 0, 0, 0, false) };
        if (!choice.IsToolCall)
        {
            foreach (var group in FrameGroups.Of(choice.Result))
            {
                frames.Add(new Frame(Kind.Content, choice, group.Text, group.From, group.To, 0, false));
            }

            // vLLM on a choice with nothing visible: the finish comes with an empty content delta (spec-facts §5).
            if (withLast && frames.Count == 1)
            {
                frames.Add(new Frame(Kind.Content, choice, "", 0, choice.Result.Tokens.Count, 0, false));
            }
        }

        for (var c = 0; c < choice.ToolCalls.Count; c++)
        {
            var call = choice.ToolCalls[c];
            frames.Add(new Frame(Kind.ToolHeader, choice, "", call.From, call.From, c, false));
            foreach (var group in FrameGroups.Of(choice.Result, call.From, call.To))
            {
                frames.Add(new Frame(Kind.ToolArguments, choice, group.Text, group.From, group.To, c, false));
            }
        }

        if (withLast)
        {
            frames[^1] = frames[^1] with { Finishes = true };
        }
        else
        {
            frames.Add(new Frame(Kind.Finish, choice, "", 0, 0, 0, true));
        }

        return frames;
    }

    private static void WriteFrame(Utf8JsonWriter json, ChunkHeader header, Frame frame, Usage? usage)
    {
        header.WriteStart(json);
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, frame.Choice.Result.Index);
        WriteDelta(json, header.Dialect, frame);
        if (header.Logprobs && frame.Kind == Kind.Content)
        {
            json.WritePropertyName("logprobs"u8);
            WriteLogprobs(json, frame);
        }
        else if (header.Dialect.LogprobsNullInChunks)
        {
            json.WriteNull("logprobs"u8);
        }

        if (frame.Finishes)
        {
            json.WriteString("finish_reason"u8, frame.Choice.FinishReason);
        }
        else
        {
            json.WriteNull("finish_reason"u8);
        }

        json.WriteEndObject();
        json.WriteEndArray();
        if (usage is not null)
        {
            WriteUsage(json, usage);
        }
        else if (header.UsageNull)
        {
            json.WriteNull("usage"u8);
        }

        json.WriteEndObject();
    }

    private static void WriteDelta(Utf8JsonWriter json, Dialect dialect, Frame frame)
    {
        json.WriteStartObject("delta"u8);
        switch (frame.Kind)
        {
            case Kind.Role:
                json.WriteString("role"u8, "assistant"u8);
                if (dialect.RoleContent == RoleChunkContent.Empty)
                {
                    json.WriteString("content"u8, ""u8);
                }
                else if (dialect.RoleContent == RoleChunkContent.Null)
                {
                    json.WriteNull("content"u8);
                }

                break;
            case Kind.Content:
                json.WriteString("content"u8, frame.Text);
                break;
            case Kind.ToolHeader:
            case Kind.ToolArguments:
                // OpenAI: id, type and name once, on the first fragment of a call (with empty arguments), then
                // argument fragments that name only the call's index.
                json.WriteStartArray("tool_calls"u8);
                json.WriteStartObject();
                json.WriteNumber("index"u8, frame.Call);
                if (frame.Kind == Kind.ToolHeader)
                {
                    var call = frame.Choice.ToolCalls[frame.Call];
                    json.WriteString("id"u8, call.Id);
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    json.WriteString("name"u8, call.Name);
                    json.WriteString("arguments"u8, ""u8);
                }
                else
                {
                    json.WriteStartObject("function"u8);
                    json.WriteString("arguments"u8, frame.Text);
                }

                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteEndArray();
                break;
            default:
                break; // the finish chunk's delta is {}
        }

        json.WriteEndObject();
    }

    /// <summary>This chunk's share of the choice's logprobs: the shown tokens it carries (spec-facts §3.3).</summary>
    private static void WriteLogprobs(Utf8JsonWriter json, Frame frame)
    {
        json.WriteStartObject();
        json.WriteStartArray("content"u8);
        var tokens = frame.Choice.Result.Tokens;
        for (var i = frame.From; i < frame.To; i++)
        {
            if (!frame.Choice.Shown[i])
            {
                continue;
            }

            var token = tokens[i];
            json.WriteStartObject();
            WriteEntry(json, token.Token.Text, token.Logprob);
            json.WriteStartArray("top_logprobs"u8);
            foreach (var alternative in token.Top ?? [])
            {
                json.WriteStartObject();
                WriteEntry(json, alternative.Token.Text, alternative.Logprob);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteEndArray();
        json.WriteNull("refusal"u8);
        json.WriteEndObject();
    }

    private static void WriteEntry(Utf8JsonWriter json, string token, double logprob)
    {
        json.WriteString("token"u8, token);
        json.WriteNumber("logprob"u8, logprob);
        json.WriteStartArray("bytes"u8);
        Span<byte> buffer = stackalloc byte[64];
        var bytes = Encoding.UTF8.GetMaxByteCount(token.Length) <= buffer.Length ? buffer[..Encoding.UTF8.GetBytes(token, buffer)] : Encoding.UTF8.GetBytes(token);
        foreach (var b in bytes)
        {
            json.WriteNumberValue(b);
        }

        json.WriteEndArray();
    }

    private static void WriteUsage(Utf8JsonWriter json, Usage usage)
    {
        json.WriteStartObject("usage"u8);
        json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        json.WriteNumber("total_tokens"u8, usage.TotalTokens);
        json.WriteEndObject();
    }

    /// <summary>What every chunk of one stream shares.</summary>
    private sealed record ChunkHeader(string Id, long Created, string Model, Dialect Dialect, bool Logprobs, bool UsageNull)
    {
        public void WriteStart(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("id"u8, Id);
            json.WriteString("object"u8, "chat.completion.chunk"u8);
            json.WriteNumber("created"u8, Created);
            json.WriteString("model"u8, Model);
        }
    }
}
