using System.Text.Json;

namespace Bench;

/// <summary>
/// The in-memory token lists the baseline answers from: each fixture's (model, prompt) and its token texts, read
/// once at start-up from the fixture file the mock also embeds, so both servers send the same text per token.
/// </summary>
internal sealed class TokenTable
{
    private readonly Dictionary<(string Model, string Prompt), string[]> _tokens;

    private TokenTable(Dictionary<(string Model, string Prompt), string[]> tokens) => _tokens = tokens;

    /// <summary>Model alias to the root name the responses carry, as <c>fixtures/models.json</c> declares it.</summary>
    public static IReadOnlyDictionary<string, string> Roots { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["llama-1b"] = "meta-llama/Llama-3.2-1B",
        ["llama-8b"] = "meta-llama/Llama-3.1-8B",
        ["llama-70b"] = "meta-llama/Llama-3.1-70B",
    };

    public static TokenTable LoadEmbedded()
    {
        using var stream = typeof(TokenTable).Assembly.GetManifestResourceStream("fixtures/docs-examples.json")
            ?? throw new InvalidOperationException("fixtures/docs-examples.json is not embedded.");
        using var document = JsonDocument.Parse(stream);
        var tokens = new Dictionary<(string, string), string[]>();
        foreach (var fixture in document.RootElement.GetProperty("completions").EnumerateArray())
        {
            var match = fixture.GetProperty("match");
            var texts = fixture.GetProperty("tokens").EnumerateArray()
                .Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()! : t.GetProperty("text").GetString()!)
                .ToArray();
            tokens[(match.GetProperty("model").GetString()!, match.GetProperty("prompt").GetString()!)] = texts;
        }

        return new TokenTable(tokens);
    }

    public string[]? Find(string model, string prompt) => _tokens.GetValueOrDefault((model, prompt));

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
