using System.Text;
using MockServer.Generation;
using MockServer.Wire;

namespace MockServer.Chat;

/// <summary>Turns generated choices into the non-streaming <c>chat.completion</c> object.</summary>
internal static class ChatResponseBuilder
{
    public static ChatCompletionResponse Build(string id, long created, ChatRequest request, CompletionResult result, IReadOnlyList<ChatChoiceOutput> choices)
    {
        var wire = new List<ChatCompletionChoice>(choices.Count);
        foreach (var choice in choices)
        {
            wire.Add(new ChatCompletionChoice
            {
                Index = choice.Result.Index,
                Message = new ChatResponseMessage
                {
                    Content = choice.Content,
                    ToolCalls = choice.IsToolCall
                        ? [.. choice.ToolCalls.Select(c => new ChatToolCall { Id = c.Id, Function = new ChatFunctionCall { Name = c.Name, Arguments = c.Arguments } })]
                        : null,
                },
                Logprobs = request.Logprobs ? new ChatLogprobs { Content = choice.IsToolCall ? null : Entries(choice, 0, choice.Result.Tokens.Count) } : null,
                FinishReason = choice.FinishReason,
                StopReason = choice.Result.StopReason,
            });
        }

        return new ChatCompletionResponse
        {
            Id = id,
            Created = created,
            Model = request.Model.ResponseName,
            Choices = wire,
            Usage = new Usage { PromptTokens = result.PromptTokens, CompletionTokens = result.CompletionTokens },
            SystemFingerprint = request.Model.Dialect.SystemFingerprint,
        };
    }

    /// <summary>The logprobs entries of the tokens in [from, to) that the content shows (spec-facts §3.3).</summary>
    private static List<ChatTokenLogprob> Entries(ChatChoiceOutput choice, int from, int to)
    {
        var entries = new List<ChatTokenLogprob>(to - from);
        for (var i = from; i < to; i++)
        {
            if (!choice.Shown[i])
            {
                continue;
            }

            var token = choice.Result.Tokens[i];
            entries.Add(new ChatTokenLogprob
            {
                Token = token.Token.Text,
                Logprob = token.Logprob,
                Bytes = Utf8(token.Token.Text),
                TopLogprobs = [.. (token.Top ?? []).Select(a => new ChatTokenLogprob { Token = a.Token.Text, Logprob = a.Logprob, Bytes = Utf8(a.Token.Text) })],
            });
        }

        return entries;
    }

    private static int[] Utf8(string text) => [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];
}
