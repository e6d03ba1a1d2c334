using MockServer.Timing;

namespace MockServer.Wire;

/// <summary>
/// llama.cpp's <c>timings</c> on a stream's last chunk and a non-streamed completion (spec-facts §12.1, §12.2): token
/// counts and the milliseconds the mock's timing model gave the prompt (time to first token, prefill included) and
/// the generation (first token to last), so they agree with how the answer was paced; 0 without a timing model.
/// </summary>
internal sealed class LlamaTimings
{
    public required int PromptN { get; init; }

    public required double PromptMs { get; init; }

    public required int PredictedN { get; init; }

    public required double PredictedMs { get; init; }

    /// <param name="clock">The request's clock.</param>
    /// <param name="promptTokens">Prompt tokens of the request.</param>
    /// <param name="completionTokens">Tokens generated, all choices.</param>
    /// <param name="longest">Tokens of the longest choice: choices are generated side by side (<see cref="TokenClock"/>).</param>
    public static LlamaTimings From(TokenClock clock, int promptTokens, int completionTokens, int longest) => new()
    {
        PromptN = promptTokens,
        PromptMs = clock.DueOf(0).TotalMilliseconds,
        PredictedN = completionTokens,
        PredictedMs = longest > 1 ? (clock.DueOf(longest - 1) - clock.DueOf(0)).TotalMilliseconds : 0,
    };
}
