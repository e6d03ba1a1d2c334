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

    // Log-weight of moving from one token class (row) to the next (column):
    // Word, CapitalWord, LineStart, InnerPunctuation, SentenceEnd, LineEnd, EndOfText.
    private static readonly double[,] Transition =
    {
        /* after Word        */ { 3.0, 0.6, -9, 1.2, 1.0, 0.2, -5.0 },
        /* after CapitalWord */ { 3.0, 0.8, -9, 1.0, 0.6, 0.0, -6.0 },
        /* after LineStart   */ { 3.2, 0.4, -9, 0.4, -1, -2.0, -8.0 },
        /* after InnerPunct  */ { 3.0, 1.2, -9, -9, -9, -3.0, -8.0 },
        /* after SentenceEnd */ { -3, 3.0, -9, -9, -9, 1.5, -1.5 },
        /* after LineEnd     */ { -9, -6, 3.2, -9, -9, -1.0, -2.5 },
        /* after EndOfText   */ { -9, -6, 3.2, -9, -9, -1.0, -2.5 },
    };

    public Vocabulary Vocabulary { get; } = vocabulary;

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
                - (0.55 * Math.Log(Vocabulary.RankInClass[i] + 1))
                + (3.0 * Mix.Unit(Mix.Hash(contextKey ^ (ulong)i)));
            if (i == previous1.Id)
            {
                logit -= 4; // real models rarely stutter
            }

            logprobs[i] = logit;
            max = Math.Max(max, logit);
        }

        var eos = Transition[from, (int)TokenClass.EndOfText] + (1.5 * Mix.Unit(Mix.Hash(contextKey ^ 0xE05UL)));
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
}
