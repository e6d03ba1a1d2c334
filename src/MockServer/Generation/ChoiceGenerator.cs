using MockServer.Tokenization;
using MockServer.Validation;

namespace MockServer.Generation;

/// <summary>
/// One candidate's generation, one token per <see cref="Next"/> (REVIEW.md, seam 1): what
/// <see cref="CompletionEngine"/> used to run to the end before the first byte, with its loop's locals as state, so a
/// stream produces a token only when the client has taken the previous frames (backpressure) and a stalled reader
/// holds this state, not the completion. The model conditions on the last two tokens only, so that is all the context
/// kept; the penalties' counts are bounded by the vocabulary.
/// </summary>
internal sealed class ChoiceGenerator
{
    private static readonly HashSet<int> EmptySet = [];

    private readonly CompletionEngine _engine;
    private readonly GenerationRequest _request;
    private readonly TokenScript? _script;
    private readonly int _topK;
    private readonly CancellationToken _cancellationToken;
    private readonly Dictionary<int, int>? _counts;
    private readonly HashSet<int>? _seen;
    private readonly StopMatcher? _stops;
    private SeededRandom _random;
    private readonly DistributionBuffer _buffer;
    private Token _previous2;
    private Token _previous1;
    private int _step;
    private int _textLength;

    public ChoiceGenerator(CompletionEngine engine, GenerationRequest request, PromptInput prompt, TokenScript? script, SeededRandom random, int topK, DistributionBuffer buffer, CancellationToken cancellationToken)
    {
        _buffer = buffer;
        _engine = engine;
        _request = request;
        _script = script;
        _random = random;
        _topK = topK;
        _cancellationToken = cancellationToken;
        (_previous2, _previous1) = (prompt.Tokens.Count >= 2 ? prompt.Tokens[^2] : prompt.Tokens[^1], prompt.Tokens[^1]);

        // The penalties' state (counts of generated tokens; tokens seen in prompt and output for the repetition
        // penalty) is read only when the synthetic model samples: a script that ends in end-of-text never does, so it
        // builds none (fixture replay is the common case in tests and benchmarks). Kept up to date per step, not rebuilt.
        var samples = script is null || script.ContinueSynthetic;
        _counts = samples ? new Dictionary<int, int>() : null;
        _seen = samples && request.Sampling.RepetitionPenalty != 1.0 ? new HashSet<int>(prompt.Tokens.Select(engine.Model.IndexOf).Where(i => i >= 0)) : null;
        _stops = request.Stop.Count == 0 ? null : new StopMatcher(request.Stop);
    }

    /// <summary>Tokens generated so far (end-of-text included, as usage counts it).</summary>
    public int Count => _step;

    /// <summary>Sum of the generated tokens' logprobs (best_of ranks candidates by it).</summary>
    public double CumulativeLogprob { get; private set; }

    public bool Finished { get; private set; }

    /// <summary>stop or length, once <see cref="Finished"/>.</summary>
    public string FinishReason { get; private set; } = "length";

    /// <summary>The stop string that ended the text, if one did.</summary>
    public string? StopReason { get; private set; }

    /// <summary>
    /// The length of the text so far (end-of-text aside); once a stop string has ended generation, the text is cut
    /// where the stop string starts (spec-facts I10), which may be inside an earlier token.
    /// </summary>
    public int TextLength => _textLength;

    /// <summary>
    /// How many characters at the end of the text may still turn out to begin a stop string: text before them is
    /// final, text within them waits for the next token (a stop string may span tokens).
    /// </summary>
    public int Undecided => _stops?.LongestPartial ?? 0;

    /// <summary>The next token, or null once generation has ended (end-of-text, a stop string, or max_tokens).</summary>
    public GeneratedToken? Next()
    {
        if (Finished || _step >= _request.MaxTokens)
        {
            Finished = true;
            return null;
        }

        _cancellationToken.ThrowIfCancellationRequested(); // a client that left stops the work
        _engine.BeforeToken?.Invoke(_step);
        var model = _engine.Model;
        var script = _script;
        var scripted = script is not null && (_step < script.Tokens.Count || !script.ContinueSynthetic);

        // A scripted token needs the model's distribution only to show alternatives; skipping it otherwise keeps
        // fixture replay (the common case in tests and benchmarks) cheap.
        double[]? distribution = null;
        if (!scripted || _topK >= 0)
        {
            distribution = _buffer.Array;
            model.Compute(_request.Model.Key, _previous2, _previous1, distribution);
        }

        GeneratedToken next;
        if (script is not null && _step < script.Tokens.Count)
        {
            next = _engine.Scripted(_request.Model, script.Tokens[_step], _previous1, distribution, _topK);
        }
        else if (script is not null && !script.ContinueSynthetic)
        {
            next = _engine.Scripted(_request.Model, new Fixtures.FixtureToken(Vocabulary.EndOfText, null, null), _previous1, distribution, _topK, endOfText: true);
        }
        else
        {
            var index = _engine.Sampler.Sample(distribution!, _request.Sampling, _seen ?? EmptySet, _counts!, ref _random);
            var token = model.TokenAt(index);
            next = new GeneratedToken(token, distribution![index], _topK < 0 ? null : _engine.Top(distribution, _topK));
        }

        _step++;
        CumulativeLogprob += next.Logprob;
        (_previous2, _previous1) = (_previous1, next.Token);

        // Scripted tokens count for the penalties too: the synthetic model may continue after them.
        if (_counts is not null && model.IndexOf(next.Token) is var generatedIndex and >= 0)
        {
            _counts[generatedIndex] = _counts.GetValueOrDefault(generatedIndex) + 1;
            _seen?.Add(generatedIndex);
        }

        if (next.Token.Id == Vocabulary.EndOfTextId)
        {
            FinishReason = "stop";
            Finished = true;
            return next;
        }

        var before = _textLength;
        _textLength += next.Token.Text.Length;
        if (_stops?.Feed(next.Token.Text, before) is ({ } stop, var at))
        {
            _textLength = at; // the stop string and anything after it are not returned (spec-facts I10)
            FinishReason = "stop";
            StopReason = stop;
            Finished = true;
        }
        else if (_step >= _request.MaxTokens)
        {
            Finished = true;
        }

        return next;
    }
}
