using MockServer.Generation;
using MockServer.Validation;

namespace MockServer.Wire;

/// <summary>
/// One SSE content frame of one choice; <see cref="LastToken"/> is the index (in its choice) of the last generated
/// token it stands for, which says when the frame is due, and <see cref="Tokens"/> how many it stands for.
/// </summary>
internal readonly record struct StreamFrame(int ChoiceIndex, string Text, object? Logprobs, string? FinishReason, string? StopReason, int LastToken, int Tokens);

/// <summary>
/// Lays a stream out as content frames, one per generated token with visible text, made as they are read (the
/// generator runs only as far as the frames asked for). The provider's rule (spec-facts §4.3, §11.4): the finish
/// reason rides on the frame of the last token with visible text, never on an empty one, so a token that shows
/// nothing (end-of-text, the token a stop string swallowed) joins the frame before it (at the very start, the next
/// one); a frame is given out once the next visible token opens its successor, or the choice ends. Choices
/// interleave round-robin, as vLLM's do, each ending with its own finish frame.
/// </summary>
internal static class StreamPlan
{
    public static IEnumerable<StreamFrame> Frames(CompletionRequest request, GenerationStream stream) =>
        stream.Choices.Count == 1
            ? Ended(request, stream, 0) // nothing to interleave
            : ChoiceInterleaving.RoundRobin([.. Enumerable.Range(0, stream.Choices.Count).Select(c => Ended(request, stream, c))]);

    /// <summary>
    /// A choice's frames ended as the dialect ends them: the finish on the last visible token's frame, or (llama.cpp,
    /// spec-facts §4.3, §12.1) on a frame of its own with text <c>""</c> after the last token's.
    /// </summary>
    private static IEnumerable<StreamFrame> Ended(CompletionRequest request, GenerationStream stream, int choice)
    {
        if (request.Model.Dialect.CompletionStreamEnd != Dialects.CompletionStreamEnd.EmptyFinishChunkWithUsage)
        {
            return FramesOf(request, stream, choice);
        }

        return SeparateFinish(FramesOf(request, stream, choice));

        static IEnumerable<StreamFrame> SeparateFinish(IEnumerable<StreamFrame> frames)
        {
            foreach (var frame in frames)
            {
                if (frame.FinishReason is null)
                {
                    yield return frame;
                    continue;
                }

                if (frame.Text.Length > 0 || frame.Logprobs is not null)
                {
                    yield return frame with { FinishReason = null, StopReason = null };
                }

                yield return new StreamFrame(frame.ChoiceIndex, "", null, frame.FinishReason, frame.StopReason, frame.LastToken, frame.Text.Length > 0 || frame.Logprobs is not null ? 0 : frame.Tokens);
            }
        }
    }

    private static IEnumerable<StreamFrame> FramesOf(CompletionRequest request, GenerationStream stream, int choice)
    {
        var reader = stream.Choices[choice];
        var prompt = stream.Prompts[stream.PromptIndexOf(choice)];
        var accumulator = request.Logprobs is { } k ? ContentLogprobsAccumulator.Create(request.Model.Dialect.CompletionLogprobs, k) : null;
        if (request.Echo)
        {
            // vLLM: the first frame of an echoed choice carries the prompt and its logprobs (spec-facts §4.5).
            for (var i = 0; accumulator is not null && i < prompt.Input.Tokens.Count; i++)
            {
                accumulator.AddPrompt(prompt.Input.Tokens[i], prompt.Positions?[i]);
            }
        }

        string? pending = null; // the open frame's text, once a visible token has opened it
        var first = true;
        var tokens = 0; // tokens the open frame stands for (leading invisible ones included)
        var read = 0;
        while (reader.TryRead(out var token))
        {
            if (token.Visible.Length > 0)
            {
                if (pending is not null)
                {
                    yield return new StreamFrame(choice, pending, accumulator?.Take(), null, null, read - 1, tokens);
                    tokens = 0;
                }

                pending = first && request.Echo ? prompt.Input.Text + token.Visible : token.Visible;
                first = false;
            }

            accumulator?.AddGenerated(token.Token);
            tokens++;
            read++;
        }

        // Nothing visible at all: one frame must still carry the finish (with the echoed prompt, if any).
        pending ??= request.Echo ? prompt.Input.Text : "";
        var generator = reader.Generator;
        yield return new StreamFrame(choice, pending, accumulator?.Take(), generator.FinishReason, generator.StopReason, read - 1, tokens);
    }
}
