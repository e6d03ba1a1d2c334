using System.Globalization;
using MockServer.Catalog;
using MockServer.Errors;
using MockServer.Hosting;

namespace MockServer.Validation;

/// <summary>
/// What a request may cost, checked once its prompts are rendered and tokenized (REVIEW.md, seam 3): the mock's own
/// work budget and the model's context length. Per-key budgets belong here too when they come.
/// </summary>
internal sealed class RequestPolicy(MockServerOptions options)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The work (and the response size) grows with every token position produced or scored, times the alternatives
    /// shown at each (1 for the token, plus k and the chosen one with logprobs k).
    /// </summary>
    /// <param name="positions">Token positions generated or scored.</param>
    /// <param name="alternatives">Entries per position.</param>
    /// <param name="state">What <paramref name="breakdown"/> is written from.</param>
    /// <param name="breakdown">How <paramref name="positions"/> came about, in the request's own terms; only written for an error.</param>
    /// <param name="param">The parameter the error names (the length the client chose).</param>
    public void CheckBudget<TState>(long positions, int alternatives, TState state, Func<TState, string> breakdown, string param)
    {
        var requested = positions * alternatives;
        if (requested > options.MaxGeneratedTokensPerRequest)
        {
            throw StrictJson.Fail(new ApiError(400, string.Create(Inv,
                $"This request could produce {positions} token positions ({breakdown(state)}) with {alternatives} entries each, {requested} in all; this mock server allows {options.MaxGeneratedTokensPerRequest} per request (--max-generated-tokens)."),
                ApiError.InvalidRequest, param, "request_too_large"));
        }
    }

    /// <summary>Alternatives per position: the token itself, plus with logprobs the k alternatives and the chosen token.</summary>
    public static int EntriesPerPosition(int? topLogprobs) => 1 + (topLogprobs is { } k ? k + 1 : 0);

    /// <summary>
    /// The prompt and the completion must fit the model's context (vLLM's wording, spec-facts §11.1). The error
    /// names <paramref name="param"/>, the length the client chose, and calls the prompt <paramref name="input"/>:
    /// "prompt" (completions) or "messages" (chat).
    /// </summary>
    public static void CheckContextLength(ServedModel model, int promptTokens, int maxTokens, string input, string param)
    {
        if (promptTokens + maxTokens > model.MaxModelLen)
        {
            var contains = input.EndsWith('s') ? "contain" : "contains"; // "your messages contain", "your prompt contains"
            throw StrictJson.Fail(new ApiError(400, string.Create(Inv,
                $"This model's maximum context length is {model.MaxModelLen} tokens. However, you requested {maxTokens} output tokens and your {input} {contains} {promptTokens} input tokens, for a total of {promptTokens + maxTokens} tokens. Please reduce the length of the {input} or '{param}'."),
                ApiError.InvalidRequest, param, "context_length_exceeded"));
        }
    }
}
