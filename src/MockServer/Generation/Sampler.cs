using MockServer.Tokenization;

namespace MockServer.Generation;

/// <summary>
/// Picks the next token from the model's distribution the way vLLM orders its logits processors: logit bias,
/// repetition / frequency / presence penalties, temperature (0 = greedy), top-k, top-p, min-p, then a draw from
/// the seeded stream. The logprobs reported to the client stay the model's raw ones (vLLM's default
/// <c>raw_logprobs</c>), so they form one consistent distribution whatever the sampling settings.
/// </summary>
internal sealed class Sampler(SyntheticModel model)
{
    /// <summary>vLLM's <c>_SAMPLING_EPS</c>.</summary>
    private const double GreedyBelow = 1e-5;

    public int Sample(
        ReadOnlySpan<double> logprobs,
        SamplingParameters p,
        IReadOnlySet<int> seen,
        Dictionary<int, int> generatedCounts,
        ref SeededRandom random)
    {
        var n = logprobs.Length;
        var logits = new double[n];
        logprobs.CopyTo(logits);

        // Counted first: enumerating the interface allocates an enumerator, at every step, bias or not.
        if (p.LogitBias.Count > 0)
        {
            foreach (var (id, bias) in p.LogitBias)
            {
                var index = model.IndexOf(new Token(id, ""));
                if (index >= 0)
                {
                    logits[index] += bias;
                }
            }
        }

        ApplyPenalties(logits, p, seen, generatedCounts);

        // vLLM treats temperatures below its epsilon as greedy; dividing by a subnormal one would overflow to NaN.
        if (p.Temperature < GreedyBelow)
        {
            return ArgMax(logits);
        }

        var max = double.NegativeInfinity;
        for (var i = 0; i < n; i++)
        {
            logits[i] /= p.Temperature;
            max = Math.Max(max, logits[i]);
        }

        var probs = new double[n];
        var sum = 0.0;
        for (var i = 0; i < n; i++)
        {
            probs[i] = Math.Exp(logits[i] - max);
            sum += probs[i];
        }

        for (var i = 0; i < n; i++)
        {
            probs[i] /= sum;
        }

        if ((p.TopK > 0 && p.TopK < n) || p.TopP < 1.0)
        {
            TruncateTail(probs, p.TopK, p.TopP);
        }

        if (p.MinP > 0)
        {
            var pmax = probs.Max();
            for (var i = 0; i < n; i++)
            {
                if (probs[i] < p.MinP * pmax)
                {
                    probs[i] = 0;
                }
            }
        }

        var total = probs.Sum();
        var draw = random.NextDouble() * total;
        var last = 0;
        for (var i = 0; i < n; i++)
        {
            if (probs[i] <= 0)
            {
                continue;
            }

            last = i;
            draw -= probs[i];
            if (draw < 0)
            {
                return i;
            }
        }

        return last; // rounding left a sliver of mass: the last candidate takes it
    }

    private static void ApplyPenalties(double[] logits, SamplingParameters p, IReadOnlySet<int> seen, Dictionary<int, int> generatedCounts)
    {
        if (p.RepetitionPenalty != 1.0)
        {
            // vLLM/HF: tokens seen in prompt or output get positive logits divided, negative multiplied.
            foreach (var index in seen)
            {
                logits[index] = logits[index] > 0 ? logits[index] / p.RepetitionPenalty : logits[index] * p.RepetitionPenalty;
            }
        }

        if (p.FrequencyPenalty != 0 || p.PresencePenalty != 0)
        {
            foreach (var (index, count) in generatedCounts)
            {
                logits[index] -= (p.FrequencyPenalty * count) + p.PresencePenalty;
            }
        }
    }

    private static void TruncateTail(double[] probs, int topK, double topP)
    {
        var order = Enumerable.Range(0, probs.Length).ToArray();
        Array.Sort(order, (a, b) => probs[b].CompareTo(probs[a]) is var c && c != 0 ? c : a.CompareTo(b));
        var keep = topK > 0 ? Math.Min(topK, probs.Length) : probs.Length;
        var cumulative = 0.0;
        for (var r = 0; r < order.Length; r++)
        {
            var i = order[r];
            if (r >= keep || cumulative >= topP)
            {
                probs[i] = 0;
                continue;
            }

            cumulative += probs[i];
        }
    }

    private static int ArgMax(double[] values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }
}
