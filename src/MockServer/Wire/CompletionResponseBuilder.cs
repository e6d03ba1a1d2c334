using MockServer.Generation;
using MockServer.Validation;

namespace MockServer.Wire;

/// <summary>Turns a generation result into the non-streaming wire object.</summary>
internal static class CompletionResponseBuilder
{
    public static CompletionResponse Build(string id, long created, CompletionRequest request, CompletionResult result)
    {
        var choices = new CompletionChoice[result.Choices.Count];
        for (var c = 0; c < choices.Length; c++)
        {
            var choice = result.Choices[c];
            var prompt = result.Prompts[choice.PromptIndex];
            object? logprobs = null;
            if (request.Logprobs is { } k)
            {
                var accumulator = ContentLogprobsAccumulator.Create(request.Model.Dialect.CompletionLogprobs, k);
                if (request.Echo)
                {
                    for (var i = 0; i < prompt.Input.Tokens.Count; i++)
                    {
                        accumulator.AddPrompt(prompt.Input.Tokens[i], prompt.Positions?[i]);
                    }
                }

                foreach (var token in choice.Tokens)
                {
                    accumulator.AddGenerated(token);
                }

                logprobs = accumulator.Take();
            }

            choices[c] = new CompletionChoice
            {
                Index = choice.Index,
                Text = request.Echo ? prompt.Input.Text + choice.Text : choice.Text,
                Logprobs = logprobs as Logprobs,
                ChatShapedLogprobs = logprobs as ContentLogprobs,
                FinishReason = choice.FinishReason,
                StopReason = choice.StopReason,
                PromptLogprobs = request.PromptLogprobs is { } pk ? LogprobsAccumulator.PromptLogprobs(prompt, pk) : null,
            };
        }

        return new CompletionResponse
        {
            Id = id,
            Created = created,
            Model = request.Model.ResponseName,
            Choices = choices,
            Usage = new Usage { PromptTokens = result.PromptTokens, CompletionTokens = result.CompletionTokens },
            SystemFingerprint = request.Model.Dialect.SystemFingerprint,
        };
    }
}
