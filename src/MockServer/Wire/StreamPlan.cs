using MockServer.Generation;
using MockServer.Validation;

namespace MockServer.Wire;

/// <summary>One SSE content frame of one choice.</summary>
internal readonly record struct StreamFrame(int ChoiceIndex, string Text, Logprobs? Logprobs, string? FinishReason, string? StopReason);

/// <summary>
/// Lays a result out as content frames, one per generated token. The provider's rule (spec-facts §4.3, §11.4):
/// the finish reason rides on the frame of the last token with visible text, never on an empty one, so a token
/// that shows nothing (end-of-text, the token a stop string swallowed) joins the frame before it. Choices
/// interleave round-robin, as vLLM's do, each ending with its own finish frame.
/// </summary>
internal static class StreamPlan
{
    public static IEnumerable<StreamFrame> Frames(CompletionRequest request, CompletionResult result)
    {
        if (result.Choices.Count == 1)
        {
            // Nothing to interleave: the one choice's frames as they are made, not gathered into a list first.
            return FramesOf(request, result, result.Choices[0]);
        }

        return Interleaved(request, result);
    }

    private static IEnumerable<StreamFrame> Interleaved(CompletionRequest request, CompletionResult result) =>
        FrameGroups.RoundRobin([.. result.Choices.Select(c => FramesOf(request, result, c).ToList())]);

    private static IEnumerable<StreamFrame> FramesOf(CompletionRequest request, CompletionResult result, ChoiceResult choice)
    {
        var groups = FrameGroups.Of(choice);
        if (groups.Count == 0)
        {
            groups.Add(new FrameGroup("", 0, choice.Tokens.Count)); // nothing visible at all: one frame must still carry the finish
        }

        var prompt = result.Prompts[choice.PromptIndex];
        var accumulator = request.Logprobs is { } k ? new LogprobsAccumulator(k) : null;
        for (var g = 0; g < groups.Count; g++)
        {
            var (text, from, to) = groups[g];
            if (g == 0 && request.Echo)
            {
                // vLLM: the first frame of an echoed choice carries the prompt and its logprobs (spec-facts §4.5).
                text = prompt.Input.Text + text;
                for (var i = 0; accumulator is not null && i < prompt.Input.Tokens.Count; i++)
                {
                    accumulator.AddPrompt(prompt.Input.Tokens[i], prompt.Positions?[i]);
                }
            }

            for (var t = from; accumulator is not null && t < to; t++)
            {
                accumulator.AddGenerated(choice.Tokens[t]);
            }

            var last = g == groups.Count - 1;
            yield return new StreamFrame(choice.Index, text, accumulator?.Take(), last ? choice.FinishReason : null, last ? choice.StopReason : null);
        }
    }
}
