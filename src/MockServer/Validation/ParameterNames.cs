using System.Collections.Frozen;

namespace MockServer.Validation;

/// <summary>The parameters <c>/v1/completions</c> accepts. Anything else is a 400 (spec-facts §10.1: the provider is strict).</summary>
internal static class ParameterNames
{
    public static readonly FrozenSet<string> Completions = new[]
    {
        "model", "prompt", "suffix", "max_tokens", "temperature", "top_p", "top_k", "min_p", "n", "best_of", "echo",
        "stream", "stream_options", "logprobs", "prompt_logprobs", "stop", "presence_penalty", "frequency_penalty",
        "repetition_penalty", "seed", "logit_bias", "user",
    }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// The parameters <c>/v1/chat/completions</c> accepts: OpenAI's sampling and output controls, vLLM's extra sampling
    /// controls, and what the chat provider documents (<c>tools</c>, <c>tool_choice</c>, <c>response_format</c>,
    /// <c>prompt_cache_key</c>, <c>stream_options</c>; provider-docs/llmbase-chat-stream.txt).
    /// </summary>
    public static readonly FrozenSet<string> Chat = new[]
    {
        "model", "messages", "max_tokens", "max_completion_tokens", "n", "seed", "temperature", "top_p", "top_k", "min_p",
        "presence_penalty", "frequency_penalty", "repetition_penalty", "logprobs", "top_logprobs", "stop", "stream",
        "stream_options", "logit_bias", "user", "tools", "tool_choice", "parallel_tool_calls", "response_format",
        "prompt_cache_key",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> StreamOptions = new[] { "include_usage" }.ToFrozenSet(StringComparer.Ordinal);

    /// <summary>The closest known name, for "did you mean" hints on typos such as <c>max_token</c> or <c>maxTokens</c>.</summary>
    public static string? Suggest(string unknown, IEnumerable<string> known)
    {
        var normalized = Normalize(unknown);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var name in known)
        {
            var d = Distance(normalized, Normalize(name));
            if (d < bestDistance)
            {
                (best, bestDistance) = (name, d);
            }
        }

        return bestDistance <= Math.Max(2, normalized.Length / 4) ? best : null;
    }

    private static string Normalize(string s) =>
        new([.. s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant)]);

    private static int Distance(string a, string b)
    {
        if (a.Length > 64 || b.Length > 64)
        {
            return int.MaxValue; // a name this long is not a typo of ours; skip the quadratic work
        }

        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
