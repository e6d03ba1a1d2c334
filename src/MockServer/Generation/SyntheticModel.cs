using MockServer.Tokenization;

namespace MockServer.Generation;

/// <summary>
/// A stand-in language model: for a context it gives a normalised log-probability over the vocabulary plus
/// end-of-text, as a pure function of the model and the last two tokens. Structure comes from a token-class
/// transition table (words follow words, a capital follows a full stop, lines start without a space) and a Zipf
/// prior; variety comes from a hash of the context. A small share of probability is reserved for the
/// out-of-vocabulary pieces a prompt may contain, so every prompt token has a finite logprob.
/// </summary>
internal sealed class SyntheticModel(Vocabulary vocabulary)
{
    /// <summary>How many distinct out-of-vocabulary pieces share the reserved mass (an open vocabulary's tail).</summary>
    private const double OovPieces = 50_000;

    /// <summary>Log-weight of moving from one token class (row) to the next (column); unlisted moves are near-impossible.</summary>
    private static readonly double[,] Transition = BuildTransitions();

    public Vocabulary Vocabulary { get; } = vocabulary;

    /// <summary>Zipf prior of each vocabulary entry within its class, computed once.</summary>
    private readonly double[] _prior = [.. vocabulary.RankInClass.Select(rank => -0.8 * Math.Log(rank + 1))];

    /// <summary>Number of entries in a distribution: the vocabulary plus end-of-text (last).</summary>
    public int Size => Vocabulary.Count + 1;

    public int EndOfTextIndex => Vocabulary.Count;

    public static ulong KeyOf(string modelId) => Mix.OfString(modelId);

    /// <summary>The token an index of a distribution stands for.</summary>
    public Token TokenAt(int index) =>
        index == EndOfTextIndex ? new Token(Vocabulary.EndOfTextId, Vocabulary.EndOfText) : new Token(index, Vocabulary.Texts[index]);

    /// <summary>Index of a token in a distribution, or -1 when it is out of vocabulary.</summary>
    public int IndexOf(Token token) =>
        token.Id == Vocabulary.EndOfTextId ? EndOfTextIndex : Vocabulary.IsInVocabulary(token.Id) ? token.Id : -1;

    /// <summary>
    /// Fills <paramref name="logprobs"/> (length <see cref="Size"/>) with normalised log-probabilities of the next
    /// token and returns the logprob of any one out-of-vocabulary piece.
    /// </summary>
    public double Compute(ulong modelKey, Token previous2, Token previous1, Span<double> logprobs)
    {
        var from = (int)Vocabulary.ClassOf(previous1);
        var contextKey = Mix.Hash(modelKey, (ulong)(uint)previous2.Id, (ulong)(uint)previous1.Id);
        var max = double.NegativeInfinity;
        for (var i = 0; i < Vocabulary.Count; i++)
        {
            var to = (int)Vocabulary.Classes[i];
            var logit = Transition[from, to]
                + _prior[i]
                + (1.6 * Mix.Unit(Mix.Hash(contextKey ^ (ulong)i)));
            if (i == previous1.Id)
            {
                logit -= 4; // real models rarely stutter
            }

            logprobs[i] = logit;
            max = Math.Max(max, logit);
        }

        var eos = Transition[from, (int)TokenClass.EndOfText] + (1.0 * Mix.Unit(Mix.Hash(contextKey ^ 0xE05UL)));
        logprobs[EndOfTextIndex] = eos;
        max = Math.Max(max, eos);

        // The out-of-vocabulary tail: a fixed share below the best token.
        var oovLogit = max - 3.5;
        var sum = Math.Exp(oovLogit - max);
        for (var i = 0; i < logprobs.Length; i++)
        {
            sum += Math.Exp(logprobs[i] - max);
        }

        var logZ = max + Math.Log(sum);
        for (var i = 0; i < logprobs.Length; i++)
        {
            logprobs[i] -= logZ;
        }

        return oovLogit - logZ - Math.Log(OovPieces);
    }

    private static double[,] BuildTransitions()
    {
        var size = Enum.GetValues<TokenClass>().Length;
        var t = new double[size, size];
        for (var i = 0; i < size; i++)
        {
            for (var j = 0; j < size; j++)
            {
                t[i, j] = -9;
            }
        }

        void Row(TokenClass from, params (TokenClass To, double Weight)[] next)
        {
            foreach (var (to, weight) in next)
            {
                t[(int)from, (int)to] = weight;
            }
        }

        Row(TokenClass.Determiner, (TokenClass.Adjective, 1.6), (TokenClass.Noun, 3.2), (TokenClass.Number, 0.2));
        Row(TokenClass.Adjective, (TokenClass.Noun, 3.2), (TokenClass.Adjective, 0.2), (TokenClass.InnerPunctuation, -0.5), (TokenClass.Conjunction, 0.2));
        Row(TokenClass.Noun, (TokenClass.Verb, 2.0), (TokenClass.Modal, 0.8), (TokenClass.Preposition, 2.2), (TokenClass.Conjunction, 1.0), (TokenClass.InnerPunctuation, 1.2),
            (TokenClass.SentenceEnd, 2.0), (TokenClass.LineEnd, 0.5), (TokenClass.Adverb, 0.2), (TokenClass.Pronoun, 0.2));
        Row(TokenClass.Verb, (TokenClass.Determiner, 2.4), (TokenClass.Adjective, 1.2), (TokenClass.Preposition, 1.2), (TokenClass.Adverb, 1.0), (TokenClass.Pronoun, 0.4),
            (TokenClass.Noun, 0.6), (TokenClass.ProperNoun, 0.5), (TokenClass.Number, 0.4), (TokenClass.SentenceEnd, 0.2));
        Row(TokenClass.Modal, (TokenClass.BaseVerb, 3.5), (TokenClass.Adverb, 1.2));
        Row(TokenClass.BaseVerb, (TokenClass.Determiner, 2.6), (TokenClass.Preposition, 1.2), (TokenClass.Pronoun, 0.6), (TokenClass.Adverb, 0.8), (TokenClass.Noun, 0.8),
            (TokenClass.SentenceEnd, 0.6), (TokenClass.Adjective, 0.5), (TokenClass.ProperNoun, 0.4));
        Row(TokenClass.Preposition, (TokenClass.Determiner, 3.0), (TokenClass.Noun, 1.2), (TokenClass.ProperNoun, 1.4), (TokenClass.Pronoun, 0.3), (TokenClass.Number, 0.5),
            (TokenClass.Adjective, 0.5), (TokenClass.BaseVerb, 0.6));
        Row(TokenClass.Conjunction, (TokenClass.Determiner, 1.8), (TokenClass.Pronoun, 2.0), (TokenClass.Noun, 0.6), (TokenClass.ProperNoun, 0.8), (TokenClass.Adverb, 0.6),
            (TokenClass.Adjective, 0.4), (TokenClass.Verb, 0.2));
        Row(TokenClass.Pronoun, (TokenClass.Verb, 3.0), (TokenClass.Modal, 2.0), (TokenClass.Adverb, 1.0));
        Row(TokenClass.Adverb, (TokenClass.Verb, 1.2), (TokenClass.Adjective, 1.5), (TokenClass.Preposition, 1.0), (TokenClass.Determiner, 0.8), (TokenClass.BaseVerb, 1.0),
            (TokenClass.InnerPunctuation, 0.3), (TokenClass.SentenceEnd, 0.5));
        Row(TokenClass.Number, (TokenClass.Noun, 2.5), (TokenClass.InnerPunctuation, 0.8), (TokenClass.SentenceEnd, 0.8), (TokenClass.Preposition, 0.5));
        Row(TokenClass.ProperNoun, (TokenClass.Verb, 2.0), (TokenClass.InnerPunctuation, 1.4), (TokenClass.Preposition, 1.0), (TokenClass.SentenceEnd, 1.2),
            (TokenClass.Conjunction, 0.8), (TokenClass.Modal, 0.8), (TokenClass.ProperNoun, 0.2));
        foreach (var start in new[] { TokenClass.SentenceStart, TokenClass.LineStart })
        {
            Row(start, (TokenClass.Noun, 1.6), (TokenClass.Adjective, 1.0), (TokenClass.Verb, 1.4), (TokenClass.Modal, 0.8), (TokenClass.Determiner, 0.6),
                (TokenClass.Preposition, 0.3), (TokenClass.ProperNoun, 0.6), (TokenClass.Adverb, 0.4), (TokenClass.InnerPunctuation, -1.0), (TokenClass.SentenceEnd, -1.0));
        }

        Row(TokenClass.InnerPunctuation, (TokenClass.Determiner, 1.5), (TokenClass.Pronoun, 1.5), (TokenClass.Conjunction, 1.5), (TokenClass.Preposition, 0.8), (TokenClass.Adjective, 0.5),
            (TokenClass.Noun, 0.5), (TokenClass.ProperNoun, 0.8), (TokenClass.Number, 0.3), (TokenClass.Adverb, 0.3), (TokenClass.LineEnd, -1.5));
        Row(TokenClass.SentenceEnd, (TokenClass.SentenceStart, 3.0), (TokenClass.LineEnd, 1.0), (TokenClass.EndOfText, 0.4));
        Row(TokenClass.LineEnd, (TokenClass.LineStart, 3.2), (TokenClass.LineEnd, -1.0), (TokenClass.EndOfText, -0.5));
        Row(TokenClass.EndOfText, (TokenClass.LineStart, 3.2));
        return t;
    }
}
