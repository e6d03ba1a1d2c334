using System.Text;
using System.Text.Json;
using MockServer.Dialects;
using MockServer.Endpoints;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Timing;
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

    /// <summary>
    /// One chunk of one choice: for content and arguments its text; for content the token it shows (for logprobs);
    /// the index (in its choice) of the last token it stands for, which says when it is due, and how many it stands for.
    /// </summary>
    private readonly record struct Frame(Kind Kind, ChoiceFrames Choice, string Text, GeneratedToken? Shown, int Call, bool Finishes, int LastToken, int Tokens);

    public static async Task WriteAsync(
        HttpContext context,
        string id,
        long created,
        ChatRequest request,
        GenerationStream stream,
        IReadOnlyList<ChatScriptPlan> plans,
        ulong seedBits,
        TokenClock clock,
        SentTokens sent,
        MockServerOptions options,
        CancellationToken cancellationToken)
    {
        var dialect = request.Model.Dialect;
        var separateUsage = dialect.Usage == UsagePlacement.SeparateChunkWhenIncluded && request.IncludeUsage == true;
        var header = new ChunkHeader(id, created, request.Model.ResponseName, dialect, request.Logprobs, separateUsage && dialect.UsageNullWhenIncluded)
        {
            Clock = dialect.CreatedPerChunk ? options.TimeProvider : null,
        };
        var choices = Enumerable.Range(0, stream.Choices.Count).Select(c => new ChoiceFrames(c, stream.Choices[c], plans[c], seedBits, dialect)).ToList();
        var frames = choices.Count == 1 ? choices[0].Frames() : ChoiceInterleaving.RoundRobin([.. choices.Select(c => c.Frames())]);

        using var sink = SseSink.Start(context, options, cancellationToken);

        // The seed provider's usage rides on the final chunk of the stream, which carries the last finish (§13). Every
        // choice ends with its finishing chunk, so the chunk that finishes the last unfinished choice is the stream's
        // last, and by then every choice has finished, so the usage is whole: no chunk needs to be held back.
        var usageOnLast = dialect.Usage == UsagePlacement.FinalChunkAlways;
        var unfinished = choices.Count;
        foreach (var frame in frames)
        {
            var last = frame.Finishes && --unfinished == 0;
            // llama.cpp: the finish chunk carries timings when no usage chunk follows (spec-facts §12.2).
            var timings = last && dialect.Timings && !separateUsage ? TimingsOf(stream, clock) : null;
            await WriteFrameAsync(sink, header, frame, last && usageOnLast ? UsageOf(stream) : null, timings, clock, sent).ConfigureAwait(false);
            if (!sink.Delivering)
            {
                return; // a fault ended the stream: nothing more is generated for a client that gets none of it
            }
        }

        if (separateUsage)
        {
            var json = sink.BeginEvent();
            header.WriteStart(json);
            json.WriteStartArray("choices"u8);
            json.WriteEndArray();
            WriteUsage(json, UsageOf(stream));
            if (dialect.Timings)
            {
                WriteTimings(json, TimingsOf(stream, clock));
            }

            json.WriteEndObject();
            sink.EndEvent(); // leaves with [DONE], in one flush
        }

        await sink.DoneAsync().ConfigureAwait(false);
        sent.Delivered(sink, stream.CompletionTokens);
    }

    private static Usage UsageOf(GenerationStream stream) => new() { PromptTokens = stream.PromptTokens, CompletionTokens = stream.CompletionTokens };

    private static LlamaTimings TimingsOf(GenerationStream stream, TokenClock clock) =>
        LlamaTimings.From(clock, stream.PromptTokens, stream.CompletionTokens, stream.Choices.Max(c => c.Generator.Count));

    private static void WriteTimings(Utf8JsonWriter json, LlamaTimings timings)
    {
        json.WriteStartObject("timings"u8);
        json.WriteNumber("prompt_n"u8, timings.PromptN);
        json.WriteNumber("prompt_ms"u8, timings.PromptMs);
        json.WriteNumber("predicted_n"u8, timings.PredictedN);
        json.WriteNumber("predicted_ms"u8, timings.PredictedMs);
        json.WriteEndObject();
    }

    private static async Task WriteFrameAsync(SseSink sink, ChunkHeader header, Frame frame, Usage? usage, LlamaTimings? timings, TokenClock clock, SentTokens sent)
    {
        await sink.WaitForTokenAsync(clock, frame.LastToken).ConfigureAwait(false);
        if (!sink.Delivering)
        {
            return; // evicted while waiting: the stream has ended, and the writer's loop stops
        }

        WriteFrame(sink.BeginEvent(), header, frame, usage, timings);
        await sink.EndEventAsync().ConfigureAwait(false);
        sent.Add(frame.Tokens); // the writer stops at the first frame after which the stream no longer delivers

    }

    /// <summary>
    /// One choice's chunks, made as its tokens are read: the role chunk; content deltas grouped as completions group
    /// frames (<see cref="StreamPlan"/>: a token that shows nothing joins the chunk before it); or, for a turn of
    /// tool calls, per call a header chunk then its argument fragments, each call owning the scripted tokens of its
    /// arguments (<see cref="PlannedCall.TokenCount"/>) and the last call made owning what follows (end-of-text).
    /// Calls whose first token max_tokens never reached are not made. One chunk is held back so the last is known:
    /// it carries the finish in dialects that put it there, otherwise a finish chunk follows (spec-facts §5, §13).
    /// </summary>
    private sealed class ChoiceFrames(int index, VisibleTokenReader reader, ChatScriptPlan plan, ulong seedBits, Dialect dialect)
    {
        private int _lastToken;
        private int _given; // tokens the chunks given out so far stand for

        public int Index => index;

        public string FinishReason { get; private set; } = "stop";

        /// <summary>The stop string that ended the choice, once it has finished (vLLM's <c>stop_reason</c>, spec-facts §5).</summary>
        public string? StopReason => reader.Generator.StopReason;

        public string CallId(int call) => ChatChoiceOutput.CallId(seedBits, index, call);

        public string CallName(int call) => plan.Calls[call].Name;

        public IEnumerable<Frame> Frames()
        {
            // Where the finish rides on the last chunk, one chunk is held back until the next shows it is not the last.
            var withLast = dialect.Finish == FinishPlacement.WithLastContent;
            Frame? held = null;
            foreach (var frame in Unfinished())
            {
                if (held is { } previous)
                {
                    yield return previous;
                }

                _given += frame.Tokens;
                if (withLast)
                {
                    held = frame;
                }
                else
                {
                    yield return frame;
                    held = null;
                    _lastToken = frame.LastToken;
                }
            }

            var generator = reader.Generator;
            var leftover = generator.Count - _given; // tokens no chunk shows (end-of-text alone, a call with nothing visible)
            FinishReason = plan.Calls.Count == 0 ? generator.FinishReason
                // tool_calls only when the script ran to its end: cut by max_tokens is length, cut by a stop string is
                // stop (the arguments are then incomplete, and a client must not run them); as ChatChoiceOutput says.
                : generator.FinishReason == "length" ? "length" : generator.StopReason is not null ? "stop" : "tool_calls";
            yield return held is { } last
                ? last with { Finishes = true, Tokens = last.Tokens + leftover }
                : new Frame(Kind.Finish, this, "", null, 0, true, _lastToken, leftover);
        }

        private IEnumerable<Frame> Unfinished()
        {
            yield return new Frame(Kind.Role, this, "", null, 0, false, 0, 0);
            var calls = plan.Calls.Count > 0;
            var call = 0;
            var nextCallAt = calls && plan.Calls.Count > 1 ? plan.Calls[0].TokenCount : int.MaxValue;
            if (calls)
            {
                yield return new Frame(Kind.ToolHeader, this, "", null, 0, false, 0, 0);
            }

            var kind = calls ? Kind.ToolArguments : Kind.Content;
            Frame? open = null; // the open chunk, once a visible token has opened it
            var tokens = 0; // tokens read since the last chunk given out (leading invisible ones included)
            var read = 0;
            while (reader.TryRead(out var token))
            {
                if (read == nextCallAt)
                {
                    // This token starts the next call: the previous call's last fragment goes, then the new call's header.
                    if (open is { } fragment)
                    {
                        yield return fragment with { Tokens = tokens };
                        open = null;
                    }

                    call++;
                    nextCallAt = call + 1 < plan.Calls.Count ? nextCallAt + plan.Calls[call].TokenCount : int.MaxValue;
                    tokens = 0;
                    yield return new Frame(Kind.ToolHeader, this, "", null, call, false, read, 0);
                }

                if (token.Visible.Length > 0)
                {
                    if (open is { } previous)
                    {
                        yield return previous with { Tokens = tokens };
                        tokens = 0;
                    }

                    open = new Frame(kind, this, token.Visible, token.Token, call, false, read, 0);
                }
                else if (open is { } extended)
                {
                    open = extended with { LastToken = read };
                }

                tokens++;
                read++;
            }

            if (open is { } final)
            {
                yield return final with { Tokens = tokens };
            }
            else if (!calls && dialect.Finish == FinishPlacement.WithLastContent)
            {
                // vLLM on a choice with nothing visible: the finish comes with an empty content delta (spec-facts §5).
                yield return new Frame(Kind.Content, this, "", null, 0, false, Math.Max(read - 1, 0), tokens);
            }
        }
    }

    private static void WriteFrame(Utf8JsonWriter json, ChunkHeader header, Frame frame, Usage? usage, LlamaTimings? timings)
    {
        header.WriteStart(json);
        json.WriteStartArray("choices"u8);
        json.WriteStartObject();
        json.WriteNumber("index"u8, frame.Choice.Index);
        WriteDelta(json, header.Dialect, frame);
        if (header.Logprobs && frame.Kind == Kind.Content)
        {
            json.WritePropertyName("logprobs"u8);
            WriteLogprobs(json, frame, header.Dialect.ChatLogprobsRefusalKey);
        }
        else if (header.Dialect.LogprobsNullInChunks)
        {
            json.WriteNull("logprobs"u8);
        }

        if (frame.Finishes)
        {
            json.WriteString("finish_reason"u8, frame.Choice.FinishReason);
            if (header.Dialect.ChatStopReason)
            {
                json.WriteString("stop_reason"u8, frame.Choice.StopReason); // vLLM: only on the finish chunk (§5)
            }
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

        if (timings is not null)
        {
            WriteTimings(json, timings);
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
                    json.WriteString("id"u8, frame.Choice.CallId(frame.Call));
                    json.WriteString("type"u8, "function"u8);
                    json.WriteStartObject("function"u8);
                    json.WriteString("name"u8, frame.Choice.CallName(frame.Call));
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

    /// <summary>
    /// This chunk's share of the choice's logprobs: the token it shows, if any (spec-facts §3.3): end-of-text and a
    /// token a stop string swallowed show nothing and have no entry.
    /// </summary>
    private static void WriteLogprobs(Utf8JsonWriter json, Frame frame, bool refusalKey)
    {
        json.WriteStartObject();
        json.WriteStartArray("content"u8);
        if (frame.Shown is { } token)
        {
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
        if (refusalKey)
        {
            json.WriteNull("refusal"u8); // vLLM and llama.cpp send content only (§3.3)
        }

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
        /// <summary>The clock <c>created</c> is re-read from per chunk (llama.cpp, §9 Q15), or null for a constant one.</summary>
        public TimeProvider? Clock { get; init; }

        public void WriteStart(Utf8JsonWriter json)
        {
            json.WriteStartObject();
            json.WriteString("id"u8, Id);
            json.WriteString("object"u8, "chat.completion.chunk"u8);
            json.WriteNumber("created"u8, Clock is null ? Created : Clock.GetUtcNow().ToUnixTimeSeconds());
            json.WriteString("model"u8, Model);
            if (Dialect.SystemFingerprint is { } fingerprint)
            {
                json.WriteString("system_fingerprint"u8, fingerprint); // llama.cpp's build id (§12.2)
            }
        }
    }
}
