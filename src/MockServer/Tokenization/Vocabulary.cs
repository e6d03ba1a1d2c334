using System.Collections.Frozen;

namespace MockServer.Tokenization;

/// <summary>
/// The synthetic model's closed vocabulary: a few hundred GPT-style pieces (leading space + word, punctuation,
/// newlines) in rough frequency order within each class. Ids are positions in this list; the special tokens use
/// Llama 3's ids so that <c>prompt_logprobs</c> keys look like a real server's.
/// </summary>
internal sealed class Vocabulary
{
    public const int BeginOfTextId = 128000;
    public const int EndOfTextId = 128001;
    public const string BeginOfText = "<|begin_of_text|>";
    public const string EndOfText = "<|end_of_text|>";

    /// <summary>Out-of-vocabulary pieces get a stable id in this range, below the special tokens.</summary>
    private const int OovIdBase = 4096;
    private const int OovIdRange = BeginOfTextId - OovIdBase;

    private readonly FrozenDictionary<string, int> _ids;
    private readonly FrozenDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _idsBySpan;

    public Vocabulary()
    {
        var texts = new List<string>();
        var classes = new List<TokenClass>();
        void Add(IEnumerable<string> pieces, TokenClass cls)
        {
            foreach (var p in pieces)
            {
                texts.Add(p);
                classes.Add(cls);
            }
        }

        foreach (var (cls, words) in VocabularyWords.SpaceLed)
        {
            Add(words.Select(w => " " + w), cls);
        }

        Add(VocabularyWords.LineStarts, TokenClass.LineStart);
        Add(VocabularyWords.InnerPunctuation, TokenClass.InnerPunctuation);
        Add(VocabularyWords.SentenceEnds, TokenClass.SentenceEnd);
        Add(VocabularyWords.LineEnds, TokenClass.LineEnd);

        Texts = [.. texts];
        Classes = [.. classes];
        _ids = texts.Select((t, i) => KeyValuePair.Create(t, i)).DistinctBy(p => p.Key, StringComparer.Ordinal).ToFrozenDictionary(StringComparer.Ordinal);
        _idsBySpan = _ids.GetAlternateLookup<ReadOnlySpan<char>>();
        RankInClass = new int[Texts.Length];
        var seen = new Dictionary<TokenClass, int>();
        for (var i = 0; i < Texts.Length; i++)
        {
            seen.TryGetValue(Classes[i], out var rank);
            RankInClass[i] = rank;
            seen[Classes[i]] = rank + 1;
        }
    }

    /// <summary>Token texts by id (0 .. Count-1).</summary>
    public string[] Texts { get; }

    public TokenClass[] Classes { get; }

    /// <summary>Frequency rank of each token within its class (0 = most frequent).</summary>
    public int[] RankInClass { get; }

    public int Count => Texts.Length;

    public bool IsInVocabulary(int id) => (uint)id < (uint)Texts.Length;

    public Token Lookup(string piece) =>
        _ids.TryGetValue(piece, out var id) ? new Token(id, piece) : new Token(OovId(piece), piece);

    /// <summary>
    /// <see cref="Lookup(string)"/> for a piece of a longer text: a vocabulary piece takes the vocabulary's own string,
    /// so only an out-of-vocabulary piece is copied out of <paramref name="text"/>.
    /// </summary>
    public Token Lookup(string text, int start, int length)
    {
        var piece = text.AsSpan(start, length);
        return _idsBySpan.TryGetValue(piece, out var id) ? new Token(id, Texts[id]) : new Token(OovId(piece), text.Substring(start, length));
    }

    public bool TryGetText(int id, out string text)
    {
        if (IsInVocabulary(id))
        {
            text = Texts[id];
            return true;
        }

        (text, var ok) = id switch
        {
            EndOfTextId => (EndOfText, true),
            BeginOfTextId => (BeginOfText, true),
            _ => ("", false),
        };
        return ok;
    }

    public TokenClass ClassOf(Token token)
    {
        if (IsInVocabulary(token.Id))
        {
            return Classes[token.Id];
        }

        return token.Id switch
        {
            EndOfTextId => TokenClass.EndOfText,
            BeginOfTextId => TokenClass.LineEnd, // the start of a document behaves like the start of a line
            _ => Classify(token.Text),
        };
    }

    /// <summary>Best guess for a piece the vocabulary does not hold (prompt text, fixture tokens).</summary>
    internal static TokenClass Classify(string text)
    {
        if (text.Length == 0)
        {
            return TokenClass.Noun;
        }

        if (text[^1] is '\n' or '\r')
        {
            return TokenClass.LineEnd;
        }

        var trimmed = text.TrimStart();
        if (trimmed.Length == 0)
        {
            return TokenClass.InnerPunctuation;
        }

        if (char.IsDigit(trimmed[0]))
        {
            return TokenClass.Number;
        }

        if (!char.IsLetter(trimmed[0]))
        {
            return trimmed[^1] is '.' or '!' or '?' ? TokenClass.SentenceEnd : TokenClass.InnerPunctuation;
        }

        if (text[0] != ' ')
        {
            // "’s", "n't": a suffix glued to the word before it behaves like the word; a bare word starts a line.
            return char.IsLetter(text[0]) ? TokenClass.LineStart : TokenClass.Noun;
        }

        return char.IsUpper(trimmed[0]) ? TokenClass.ProperNoun : TokenClass.Noun;
    }

    private static int OovId(ReadOnlySpan<char> piece)
    {
        // FNV-1a over UTF-16 code units: stable across runs and platforms, unlike string.GetHashCode.
        var h = 2166136261u;
        foreach (var c in piece)
        {
            h = (h ^ c) * 16777619u;
        }

        return OovIdBase + (int)(h % OovIdRange);
    }
}
