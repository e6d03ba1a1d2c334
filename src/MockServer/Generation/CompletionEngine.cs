using MockServer.Catalog;
using MockServer.Fixtures;
using MockServer.Tokenization;
using MockServer.Validation;

namespace MockServer.Generation;

/// <summary>
/// The generation core, shared by every endpoint: produces the tokens of every choice, a script's tokens first
/// (a fixture, a tool call), then (if the script says so, or when there is none) the synthetic model under the
/// request's sampling controls. Output is a pure function of
/// the request and the per-request entropy (which only matters when the request has no seed).
/// </summary>
internal sealed class CompletionEngine(SyntheticModel model)
{
    private readonly Sampler _sampler = new(model);

    /// <summary>The whole result, for a response that is not streamed (and for best_of, which must see every candidate).</summary>
    public CompletionResult Run(GenerationRequest request, ulong entropy, CancellationToken cancellationToken = default)
    {
        var prompts = new List<ScoredPrompt>(request.Prompts.Count);
        var choices = new List<ChoiceResult>(request.Prompts.Count * request.N);
        var buffer = new DistributionBuffer(model.Size);
        for (var p = 0; p < request.Prompts.Count; p++)
        {
            prompts.Add(Score(request, request.Prompts[p], cancellationToken));
            var candidates = new List<ChoiceResult>(request.BestOf);
            for (var c = 0; c < request.BestOf; c++)
            {
                candidates.Add(Generate(Candidate(request, p, c, entropy, buffer, cancellationToken), request.MaxTokens));
            }

            // best_of: keep the n candidates with the highest cumulative logprob (OpenAI's definition of "best").
            var kept = request.BestOf > request.N
                ? candidates.OrderByDescending(c => c.CumulativeLogprob).Take(request.N)
                : candidates;
            foreach (var choice in kept)
            {
                choices.Add(choice with { Index = choices.Count, PromptIndex = p });
            }
        }

        return new CompletionResult(prompts, choices);
    }

    /// <summary>
    /// Starts the request's candidates for a stream (<see cref="GenerationStream"/>): nothing is generated until a
    /// reader asks. Only for requests that keep every candidate (best_of = n): choosing the best needs them all.
    /// </summary>
    public GenerationStream Start(GenerationRequest request, ulong entropy, CancellationToken cancellationToken = default)
    {
        if (request.BestOf != request.N)
        {
            throw new ArgumentException("best_of > n cannot stream: the best candidates are only known at the end.", nameof(request));
        }

        var prompts = new List<ScoredPrompt>(request.Prompts.Count);
        var readers = new List<VisibleTokenReader>(request.Prompts.Count * request.N);
        var buffer = new DistributionBuffer(model.Size);
        for (var p = 0; p < request.Prompts.Count; p++)
        {
            prompts.Add(Score(request, request.Prompts[p], cancellationToken));
            for (var c = 0; c < request.N; c++)
            {
                readers.Add(new VisibleTokenReader(Candidate(request, p, c, entropy, buffer, cancellationToken)));
            }
        }

        return new GenerationStream(prompts, readers);
    }

    /// <summary>Test hook: called before each token is generated, with the candidate's step (proves streams are produced as written).</summary>
    internal Action<int>? BeforeToken { get; set; }

    internal SyntheticModel Model => model;

    internal Sampler Sampler => _sampler;

    private ScoredPrompt Score(GenerationRequest request, PromptInput prompt, CancellationToken cancellationToken) =>
        new(prompt, request.PromptTopLogprobs is { } promptTopK ? ScorePrompt(request.Model, prompt.Tokens, promptTopK, cancellationToken) : null);

    private ChoiceGenerator Candidate(GenerationRequest request, int p, int c, ulong entropy, DistributionBuffer buffer, CancellationToken cancellationToken)
    {
        var prompt = request.Prompts[p];
        var seed = request.Seed is { } s ? Mix.Hash((ulong)s, (ulong)p, (ulong)c) : Mix.Hash(entropy, (ulong)p, (ulong)c);

        // Alternatives are only ranked when a response will show them.
        return new ChoiceGenerator(this, request, prompt, request.Script(p, c, prompt), new SeededRandom(seed), request.TopLogprobs ?? -1, buffer, cancellationToken);
    }

    /// <summary>A whole candidate, for a response that is not streamed: the generator run to its end.</summary>
    private static ChoiceResult Generate(ChoiceGenerator generator, int maxTokens)
    {
        var generated = new List<GeneratedToken>(Math.Min(maxTokens, 256));
        while (generator.Next() is { } token)
        {
            generated.Add(token);
        }

        return new ChoiceResult(0, 0, generated, TextOf(generated, generator.TextLength), generator.FinishReason, generator.StopReason);
    }

    /// <summary>The first <paramref name="length"/> characters of the tokens' texts, end-of-text (never shown) aside.</summary>
    private static string TextOf(List<GeneratedToken> tokens, int length) =>
        string.Create(length, tokens, static (span, tokens) =>
        {
            foreach (var token in tokens)
            {
                if (span.IsEmpty)
                {
                    break;
                }

                if (token.Token.Id == Vocabulary.EndOfTextId)
                {
                    continue;
                }

                var text = token.Token.Text.AsSpan();
                var n = Math.Min(text.Length, span.Length);
                text[..n].CopyTo(span);
                span = span[n..];
            }
        });

    /// <summary>
    /// A fixture token. Its logprob is the fixture's, or a plausible one derived from the context; the other
    /// alternatives share what probability is left, below any the fixture pinned, so the set stays a distribution.
    /// </summary>
    internal GeneratedToken Scripted(ServedModel served, FixtureToken scripted, Token previous, double[]? distribution, int topK, bool endOfText = false)
    {
        var token = endOfText ? new Token(Vocabulary.EndOfTextId, Vocabulary.EndOfText) : model.Vocabulary.Lookup(scripted.Text);
        var logprob = scripted.Logprob
            ?? -(0.02 + (1.4 * Mix.Unit(Mix.Hash(served.Key, (ulong)(uint)previous.Id, (ulong)(uint)token.Id))));
        if (topK < 0)
        {
            return new GeneratedToken(token, logprob, null);
        }

        var pinned = scripted.TopLogprobs ?? [];
        var alternatives = new List<Alternative>(topK + 1) { new(token, logprob) };
        foreach (var (text, value) in pinned)
        {
            if (text != token.Text)
            {
                alternatives.Add(new Alternative(model.Vocabulary.Lookup(text), value));
            }
        }

        var used = alternatives.Sum(a => Math.Exp(a.Logprob));
        var ceiling = pinned.Count > 0 ? pinned.Min(p => p.Value) : double.PositiveInfinity;
        var remaining = Math.Max(0, 1 - used) * 0.95;
        var taken = new HashSet<string>(alternatives.Select(a => a.Token.Text), StringComparer.Ordinal);
        var step = 1;
        // Alternatives are shown (topK >= 0), so the caller computed the distribution.
        foreach (var alt in Top(distribution!, topK + alternatives.Count))
        {
            if (alternatives.Count >= topK + 1 || remaining <= 0)
            {
                break;
            }

            if (!taken.Add(alt.Token.Text))
            {
                continue;
            }

            // Synthetic alternatives never outrank what the fixture pinned (the docs' top-5 must stay exactly so).
            var value = Math.Min(Math.Log(remaining) + alt.Logprob, ceiling - (0.05 * step++));
            alternatives.Add(alt with { Logprob = value });
        }

        return new GeneratedToken(token, logprob, [.. Sorted(alternatives).Take(topK)]);
    }

    private PromptPosition?[] ScorePrompt(ServedModel served, IReadOnlyList<Token> tokens, int topK, CancellationToken cancellationToken)
    {
        var positions = new PromptPosition?[tokens.Count];
        var distribution = new double[model.Size];
        for (var i = 1; i < tokens.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var oov = model.Compute(served.Key, i >= 2 ? tokens[i - 2] : tokens[i - 1], tokens[i - 1], distribution);
            var index = model.IndexOf(tokens[i]);
            var logprob = index >= 0 ? distribution[index] : oov;
            var rank = 1;
            foreach (var value in distribution)
            {
                if (value > logprob)
                {
                    rank++;
                }
            }

            positions[i] = new PromptPosition(logprob, rank, Top(distribution, topK));
        }

        return positions;
    }

    /// <summary>
    /// The <paramref name="k"/> most likely tokens, most likely first (ties by id), by bounded insertion: one pass over
    /// the vocabulary, not a sort of it, since this runs at every position that shows alternatives.
    /// </summary>
    internal List<Alternative> Top(double[] distribution, int k)
    {
        var top = new List<Alternative>(k + 1);
        for (var i = 0; k > 0 && i < distribution.Length; i++)
        {
            var value = distribution[i];
            if (top.Count == k && value <= top[^1].Logprob)
            {
                continue;
            }

            var at = top.Count;
            while (at > 0 && top[at - 1].Logprob < value)
            {
                at--;
            }

            top.Insert(at, new Alternative(model.TokenAt(i), value));
            if (top.Count > k)
            {
                top.RemoveAt(k);
            }
        }

        return top;
    }

    private static IEnumerable<Alternative> Sorted(IEnumerable<Alternative> alternatives) =>
        alternatives.OrderByDescending(a => a.Logprob);
}
