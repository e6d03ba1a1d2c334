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
    private static readonly HashSet<int> EmptySet = [];

    private readonly Sampler _sampler = new(model);

    public CompletionResult Run(GenerationRequest request, ulong entropy, CancellationToken cancellationToken = default)
    {
        // Alternatives are only ranked when a response will show them.
        var topK = request.TopLogprobs ?? 0;

        var prompts = new List<ScoredPrompt>(request.Prompts.Count);
        var choices = new List<ChoiceResult>(request.Prompts.Count * request.N);
        for (var p = 0; p < request.Prompts.Count; p++)
        {
            var prompt = request.Prompts[p];
            prompts.Add(new ScoredPrompt(prompt, request.PromptTopLogprobs is { } promptTopK ? ScorePrompt(request.Model, prompt.Tokens, promptTopK, cancellationToken) : null));
            var candidates = new List<ChoiceResult>(request.BestOf);
            for (var c = 0; c < request.BestOf; c++)
            {
                var seed = request.Seed is { } s ? Mix.Hash((ulong)s, (ulong)p, (ulong)c) : Mix.Hash(entropy, (ulong)p, (ulong)c);
                candidates.Add(Generate(request, prompt, request.Script(p, c, prompt), new SeededRandom(seed), request.TopLogprobs is null ? -1 : topK, cancellationToken));
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

    private ChoiceResult Generate(GenerationRequest request, PromptInput prompt, TokenScript? fixture, SeededRandom random, int topK, CancellationToken cancellationToken)
    {
        // The model conditions on the last two tokens only, so that is all the context kept (no copy of the prompt).
        var (previous2, previous1) = (prompt.Tokens.Count >= 2 ? prompt.Tokens[^2] : prompt.Tokens[^1], prompt.Tokens[^1]);
        var generated = new List<GeneratedToken>(Math.Min(request.MaxTokens, 256));

        // The penalties' state (counts of generated tokens; tokens seen in prompt and output for the repetition
        // penalty) is read only when the synthetic model samples: a script that ends in end-of-text never does, so it
        // builds none (fixture replay is the common case in tests and benchmarks). Kept up to date per step, not rebuilt.
        var samples = fixture is null || fixture.ContinueSynthetic;
        var counts = samples ? new Dictionary<int, int>() : null;
        var seen = samples && request.Sampling.RepetitionPenalty != 1.0 ? new HashSet<int>(prompt.Tokens.Select(model.IndexOf).Where(i => i >= 0)) : null;
        var textLength = 0; // the text is the generated tokens' (end-of-text aside), cut at a stop string: built once at the end
        var stops = request.Stop.Count == 0 ? null : new StopMatcher(request.Stop);
        double[]? distribution = null;
        string finish = "length";
        string? stopReason = null;

        for (var step = 0; step < request.MaxTokens; step++)
        {
            cancellationToken.ThrowIfCancellationRequested(); // a client that left stops the work
            var scripted = fixture is not null && (step < fixture.Tokens.Count || !fixture.ContinueSynthetic);

            // A scripted token needs the model's distribution only to show alternatives; skipping it otherwise keeps
            // fixture replay (the common case in tests and benchmarks) cheap.
            if (!scripted || topK >= 0)
            {
                distribution ??= new double[model.Size];
                model.Compute(request.Model.Key, previous2, previous1, distribution);
            }

            GeneratedToken next;
            if (fixture is not null && step < fixture.Tokens.Count)
            {
                next = Scripted(request.Model, fixture.Tokens[step], previous1, distribution, topK);
            }
            else if (fixture is not null && !fixture.ContinueSynthetic)
            {
                next = Scripted(request.Model, new FixtureToken(Vocabulary.EndOfText, null, null), previous1, distribution, topK, endOfText: true);
            }
            else
            {
                var index = _sampler.Sample(distribution!, request.Sampling, seen ?? EmptySet, counts!, ref random);
                var token = model.TokenAt(index);
                next = new GeneratedToken(token, distribution![index], topK < 0 ? null : Top(distribution, topK));
            }

            generated.Add(next);
            (previous2, previous1) = (previous1, next.Token);

            // Scripted tokens count for the penalties too: the synthetic model may continue after them.
            if (counts is not null && model.IndexOf(next.Token) is var generatedIndex and >= 0)
            {
                counts[generatedIndex] = counts.GetValueOrDefault(generatedIndex) + 1;
                seen?.Add(generatedIndex);
            }

            if (next.Token.Id == Vocabulary.EndOfTextId)
            {
                finish = "stop";
                break;
            }

            var before = textLength;
            textLength += next.Token.Text.Length;
            if (stops?.Feed(next.Token.Text, before) is ({ } stop, var at))
            {
                textLength = at; // the stop string and anything after it are not returned (spec-facts I10)
                finish = "stop";
                stopReason = stop;
                break;
            }
        }

        return new ChoiceResult(0, 0, generated, TextOf(generated, textLength), finish, stopReason);
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
    private GeneratedToken Scripted(ServedModel served, FixtureToken scripted, Token previous, double[]? distribution, int topK, bool endOfText = false)
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
    private List<Alternative> Top(double[] distribution, int k)
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
