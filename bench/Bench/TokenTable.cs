using System.Text.Json;
using System.Text.RegularExpressions;

namespace Bench;

/// <summary>A chat fixture's tokens and the prompt token count of its conversation (the one user message).</summary>
internal sealed record ChatEntry(string[] Tokens, int PromptTokens);

/// <summary>
/// The in-memory token lists the baseline answers from: each fixture's (model, prompt) and its token texts, read
/// once at start-up from the fixture file the mock also embeds, so both servers send the same text per token; and
/// each chat fixture's (model, user message) and token texts, from the file run.sh passes to the mock with
/// <c>--fixtures</c>.
/// </summary>
internal sealed partial class TokenTable
{
    private readonly Dictionary<(string Model, string Prompt), string[]> _tokens;
    private readonly Dictionary<(string Model, string User), ChatEntry> _chats;

    private TokenTable(Dictionary<(string Model, string Prompt), string[]> tokens, Dictionary<(string Model, string User), ChatEntry> chats)
    {
        _tokens = tokens;
        _chats = chats;
    }

    /// <summary>Model alias to the root name the responses carry, as <c>fixtures/models.json</c> declares it.</summary>
    public static IReadOnlyDictionary<string, string> Roots { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["llama-1b"] = "meta-llama/Llama-3.2-1B",
        ["llama-8b"] = "meta-llama/Llama-3.1-8B",
        ["llama-70b"] = "meta-llama/Llama-3.1-70B",
        ["llama-8b-instruct"] = "meta-llama/Llama-3.1-8B-Instruct",
    };

    public static TokenTable LoadEmbedded()
    {
        var tokens = new Dictionary<(string, string), string[]>();
        using (var document = Embedded("fixtures/docs-examples.json"))
        {
            foreach (var fixture in document.RootElement.GetProperty("completions").EnumerateArray())
            {
                var match = fixture.GetProperty("match");
                tokens[(match.GetProperty("model").GetString()!, match.GetProperty("prompt").GetString()!)] = Texts(fixture);
            }
        }

        var chats = new Dictionary<(string, string), ChatEntry>();
        using (var document = Embedded("bench/fixtures/bench-chat80.json"))
        {
            foreach (var fixture in document.RootElement.GetProperty("chat").EnumerateArray())
            {
                var match = fixture.GetProperty("match");
                var user = match.GetProperty("user").GetString()!;
                chats[(match.GetProperty("model").GetString()!, user)] = new ChatEntry(Texts(fixture), CountLlama3PromptTokens(user));
            }
        }

        return new TokenTable(tokens, chats);
    }

    public string[]? Find(string model, string prompt) => _tokens.GetValueOrDefault((model, prompt));

    public ChatEntry? FindChat(string model, string user) => _chats.GetValueOrDefault((model, user));

    private static JsonDocument Embedded(string name)
    {
        using var stream = typeof(TokenTable).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"{name} is not embedded.");
        return JsonDocument.Parse(stream);
    }

    private static string[] Texts(JsonElement fixture) =>
        [.. fixture.GetProperty("tokens").EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : t.GetProperty("text").GetString()!)];

    /// <summary>
    /// The mock's prompt_tokens for a one-message conversation with a Llama 3 template model: the rendered prompt's
    /// pre-tokenizer pieces plus beginning-of-text. Computed once at start-up (the mock tokenizes per request; the
    /// baseline skips that work by design and only needs the same digits on the wire, which run.sh checks).
    /// </summary>
    private static int CountLlama3PromptTokens(string user) =>
        1 + Pieces().Count($"<|start_header_id|>user<|end_header_id|>\n\n{user}<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n");

    // The mock's Llama 3 / cl100k pre-tokenizer pattern (src/MockServer/Tokenization/Tokenizer.cs).
    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Pieces();

    /// <summary>
    /// A stand-in prompt token count: one per run of letters or digits (with its leading space), one per other
    /// character. It matches the mock's count for the bench prompt; the bench only needs the same digits on the wire.
    /// </summary>
    public static int CountPromptTokens(string prompt)
    {
        var count = 0;
        var inWord = false;
        foreach (var c in prompt)
        {
            if (char.IsLetterOrDigit(c))
            {
                if (!inWord)
                {
                    count++;
                }

                inWord = true;
            }
            else
            {
                inWord = false;
                if (c != ' ')
                {
                    count++;
                }
            }
        }

        return count;
    }
}
