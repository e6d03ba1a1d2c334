using System.Text;
using MockServer.Generation;
using MockServer.Tokenization;

namespace MockServer.Wire;

/// <summary>What builds a completion choice's logprobs, across one or many chunks, in the dialect's shape (spec-facts §3.1, §3.2).</summary>
internal interface ICompletionLogprobs
{
    void AddPrompt(Token token, PromptPosition? position);

    void AddGenerated(GeneratedToken token);

    /// <summary>Returns what was added since the last call, as the wire object.</summary>
    object Take();
}

/// <summary>Builds llama.cpp's chat-shaped completions logprobs (<see cref="ContentLogprobs"/>): per token the k most likely alternatives.</summary>
internal sealed class ContentLogprobsAccumulator(int k) : ICompletionLogprobs
{
    private readonly List<ContentLogprob> _entries = [];

    /// <summary>A builder for <paramref name="shape"/> with k alternatives per position.</summary>
    public static ICompletionLogprobs Create(Dialects.CompletionLogprobsShape shape, int k) =>
        shape == Dialects.CompletionLogprobsShape.ChatShaped ? new ContentLogprobsAccumulator(k) : new LogprobsAccumulator(k);

    /// <summary>llama.cpp returns no prompt logprobs (spec-facts §3.1 L7): an echoed prompt adds nothing.</summary>
    public void AddPrompt(Token token, PromptPosition? position)
    {
    }

    public void AddGenerated(GeneratedToken token) => _entries.Add(new ContentLogprob
    {
        Id = token.Token.Id,
        Token = token.Token.Text,
        Bytes = Utf8(token.Token.Text),
        Logprob = token.Logprob,
        TopLogprobs = [.. (token.Top ?? []).Take(k).Select(a => new ContentLogprob { Id = a.Token.Id, Token = a.Token.Text, Bytes = Utf8(a.Token.Text), Logprob = a.Logprob })],
    });

    public object Take()
    {
        var result = new ContentLogprobs { Content = [.. _entries] };
        _entries.Clear();
        return result;
    }

    private static int[] Utf8(string text) => [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];
}
