using MockServer.Catalog;
using MockServer.Fixtures;
using MockServer.Tokenization;
using MockServer.Validation;

namespace MockServer.Generation;

/// <summary>
/// Produces the tokens of every choice: a matching fixture's script first, then (if the fixture says so, or when
/// no fixture matches) the synthetic model under the request's sampling controls. Output is a pure function of
/// the request and the per-request entropy (which only matters when the request has no seed).
/// </summary>
internal sealed class CompletionEngine(SyntheticModel model, FixtureSet fixtures)
{
    private readonly Sampler _sampler = new(model);

    public CompletionResult Run(CompletionRequest request, ulong entropy)
    {
        // Alternatives are only ranked when a response will show them.
        var topK = request.Logprobs ?? 0;
        var promptTopK = Math.Max(request.PromptLogprobs ?? 0, request.Echo ? request.Logprobs ?? 0 : 0);
        var scorePrompts = request.PromptLogprobs is not null || (request.Echo && request.Logprobs is not null);

        var prompts = new List<ScoredPrompt>(request.Prompts.Count);
        var choices = new List<ChoiceResult>(request.Prompts.Count * request.N);
        for (var p = 0; p < request.Prompts.Count; p++)
        {
            var prompt = request.Prompts[p];
            prompts.Add(new ScoredPrompt(prompt, scorePrompts ? ScorePrompt(request.Model, prompt.Tokens, promptTopK) : null));
            var fixture = fixtures.Match(request.Model.Id, prompt.Text);
            var candidates = new List<ChoiceResult>(request.BestOf);
            for (var c = 0; c < request.BestOf; c++)
            {
                var seed = request.Seed is { } s ? Mix.Hash((ulong)s, (ulong)p, (ulong)c) : Mix.Hash(entropy, (ulong)p, (ulong)c);
                candidates.Add(Generate(request, prompt, fixture, new SeededRandom(seed), request.Logprobs is null ? -1 : topK));
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

    private ChoiceResult Generate(CompletionRequest request, PromptInput prompt, CompletionFixture? fixture, SeededRandom random, int topK)
    {
        var context = new List<Token>(prompt.Tokens);
        var generated = new List<GeneratedToken>(Math.Min(request.MaxTokens, 256));
        var counts = new Dictionary<int, int>();
        var text = new System.Text.StringBuilder();
        var longestStop = request.Stop.Count == 0 ? 0 : request.Stop.Max(s => s.Length);
        double[]? distribution = null;
        string finish = "length";
        string? stopReason = null;

        for (var step = 0; step < request.MaxTokens; step++)
        {
            var (previous2, previous1) = Tail(context);
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
                var index = _sampler.Sample(distribution!, request.Sampling, context, counts, ref random);
                var token = model.TokenAt(index);
                next = new GeneratedToken(token, distribution![index], topK < 0 ? null : Top(distribution, topK));
                counts[index] = counts.GetValueOrDefault(index) + 1;
            }

            generated.Add(next);
            context.Add(next.Token);
            if (next.Token.Id == Vocabulary.EndOfTextId)
            {
                finish = "stop";
                break;
            }

            var before = text.Length;
            text.Append(next.Token.Text);
            if (longestStop > 0 && FindStop(text, request.Stop, Math.Max(0, before - longestStop + 1)) is ({ } stop, var at))
            {
                text.Length = at; // the stop string and anything after it are not returned (spec-facts I10)
                finish = "stop";
                stopReason = stop;
                break;
            }
        }

        return new ChoiceResult(0, 0, generated, text.ToString(), finish, stopReason);
    }

    /// <summary>The earliest occurrence of any stop string that could have been completed at or after <paramref name="from"/>.</summary>
    private static (string? Stop, int At) FindStop(System.Text.StringBuilder text, IReadOnlyList<string> stops, int from)
    {
        var haystack = text.ToString(from, text.Length - from);
        (string? Stop, int At) best = (null, int.MaxValue);
        foreach (var stop in stops)
        {
            var i = haystack.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0 && from + i < best.At)
            {
                best = (stop, from + i);
            }
        }

        return best.Stop is null ? (null, 0) : best;
    }

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

    private PromptPosition?[] ScorePrompt(ServedModel served, IReadOnlyList<Token> tokens, int topK)
    {
        var positions = new PromptPosition?[tokens.Count];
        var distribution = new double[model.Size];
        for (var i = 1; i < tokens.Count; i++)
        {
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

    /// <summary>The <paramref name="k"/> most likely tokens, most likely first (ties by id).</summary>
    private List<Alternative> Top(double[] distribution, int k)
    {
        var order = new int[distribution.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        Array.Sort(order, (a, b) => distribution[b].CompareTo(distribution[a]) is var c && c != 0 ? c : a.CompareTo(b));
        var top = new List<Alternative>(k);
        for (var r = 0; r < Math.Min(k, order.Length); r++)
        {
            top.Add(new Alternative(model.TokenAt(order[r]), distribution[order[r]]));
        }

        return top;
    }

    private static IEnumerable<Alternative> Sorted(IEnumerable<Alternative> alternatives) =>
        alternatives.OrderByDescending(a => a.Logprob);

    private static (Token Previous2, Token Previous1) Tail(List<Token> context) =>
        (context.Count >= 2 ? context[^2] : context[^1], context[^1]);
}
