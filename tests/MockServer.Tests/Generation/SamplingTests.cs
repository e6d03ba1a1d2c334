using System.Globalization;
using System.Text.Json;
using MockServer.Tests.TestUtils;
using MockServer.Tokenization;

namespace MockServer.Tests.Generation;

/// <summary>
/// The synthetic model honours every sampling control. Each property is checked on the server's own reported
/// logprobs, which are the model's raw distribution (vLLM's default), so the checks are exact.
/// </summary>
public sealed class SamplingTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private const string Prompt = "\"In the morning the old city\"";

    [Fact]
    public async Task Same_seed_and_request_give_byte_identical_choices()
    {
        var request = $$"""{"model":"llama-8b","prompt":{{Prompt}},"max_tokens":40,"seed":1234,"n":2,"logprobs":3,"temperature":0.9,"top_p":0.95}""";

        var (_, _, first) = await server.Client.CompleteAsync(request);
        var (_, _, second) = await server.Client.CompleteAsync(request);

        second.GetProperty("choices").GetRawText().Should().Be(first.GetProperty("choices").GetRawText());
    }

    [Fact]
    public async Task Different_seeds_give_different_text_and_choices_differ()
    {
        var texts = new List<string>();
        foreach (var seed in new[] { 1, 2 })
        {
            var (_, _, json) = await server.Client.CompleteAsync($$"""{"model":"llama-8b","prompt":{{Prompt}},"max_tokens":40,"seed":{{seed}},"n":2}""");
            texts.AddRange(json.GetProperty("choices").EnumerateArray().Select(c => c.GetProperty("text").GetString()!));
        }

        texts.Distinct().Should().HaveCount(4);
    }

    [Fact]
    public async Task Temperature_zero_is_greedy_and_deterministic()
    {
        var greedy = await TokensAsync("\"temperature\":0,\"logprobs\":1");
        var again = await TokensAsync("\"temperature\":0,\"logprobs\":1");

        again.Select(t => t.Text).Should().Equal(greedy.Select(t => t.Text));
        greedy.Should().OnlyContain(t => t.Rank == 1, "greedy picks the most likely token at every step");
    }

    [Theory]
    [InlineData("\"top_k\":1,\"seed\":7")]
    [InlineData("\"top_p\":0.000001,\"seed\":7")]
    [InlineData("\"min_p\":1,\"seed\":7")]
    [InlineData("\"temperature\":0.0001,\"seed\":7")]
    [InlineData("\"temperature\":5e-324,\"seed\":7")]
    public async Task Degenerate_filters_reduce_to_greedy(string settings)
    {
        var greedy = await TokensAsync("\"temperature\":0");
        var filtered = await TokensAsync(settings);

        filtered.Select(t => t.Text).Should().Equal(greedy.Select(t => t.Text));
    }

    // The filters below run on the distribution the sampler sees: at temperature 1 and without logit bias that is the
    // reported one (up to normalisation), so the checks on reported logprobs are exact. min_p and top_p act on the
    // tempered distribution, as in vLLM.
    [Fact]
    public async Task Top_k_samples_only_among_the_k_most_likely()
    {
        foreach (var seed in Enumerable.Range(1, 5))
        {
            var tokens = await TokensAsync($"\"top_k\":3,\"seed\":{seed},\"temperature\":1.5,\"logprobs\":3,\"logit_bias\":{{}}");
            tokens.Should().OnlyContain(t => t.Rank <= 3 && t.TopCount == 3, "the sampled token is one of the top 3, so no k+1 entry is added");
        }
    }

    [Fact]
    public async Task Top_p_keeps_the_nucleus()
    {
        foreach (var seed in Enumerable.Range(1, 5))
        {
            var tokens = await TokensAsync($"\"top_p\":0.5,\"seed\":{seed},\"logprobs\":20,\"logit_bias\":{{}}");
            tokens.Should().OnlyContain(t => t.MassAbove < 0.5, "every more likely token together holds less than top_p");
        }
    }

    [Fact]
    public async Task Min_p_drops_tokens_below_the_fraction_of_the_best()
    {
        foreach (var seed in Enumerable.Range(1, 5))
        {
            var tokens = await TokensAsync($"\"min_p\":0.4,\"seed\":{seed},\"logprobs\":1,\"logit_bias\":{{}}");
            tokens.Should().OnlyContain(t => Math.Exp(t.Logprob) >= 0.4 * Math.Exp(t.BestLogprob) - 1e-12);
        }
    }

    [Fact]
    public async Task Lower_temperature_samples_likelier_tokens()
    {
        double MeanLogprob(IEnumerable<SampledToken> tokens) => tokens.Average(t => t.Logprob);
        var cold = new List<SampledToken>();
        var hot = new List<SampledToken>();
        foreach (var seed in Enumerable.Range(1, 6))
        {
            cold.AddRange(await TokensAsync($"\"temperature\":0.3,\"seed\":{seed},\"logprobs\":0"));
            hot.AddRange(await TokensAsync($"\"temperature\":1.8,\"seed\":{seed},\"logprobs\":0"));
        }

        MeanLogprob(cold).Should().BeGreaterThan(MeanLogprob(hot) + 0.5);
    }

    [Theory]
    [InlineData("\"frequency_penalty\":2")]
    [InlineData("\"presence_penalty\":2")]
    [InlineData("\"repetition_penalty\":2")]
    public async Task Penalties_reduce_repetition(string penalty)
    {
        var plain = await TokensAsync("\"temperature\":0", maxTokens: 60);
        var penalised = await TokensAsync("\"temperature\":0," + penalty, maxTokens: 60);

        Distinct(penalised).Should().BeGreaterThan(Distinct(plain) + 5);

        static int Distinct(IEnumerable<SampledToken> tokens) => tokens.Select(t => t.Text).Distinct().Count();
    }

    [Fact]
    public async Task Logit_bias_forces_and_forbids_tokens()
    {
        var vocabulary = new Vocabulary();
        var city = vocabulary.Lookup(" city").Id.ToString(CultureInfo.InvariantCulture);
        var forced = await TokensAsync($$"""
            "temperature":0,"logit_bias":{"{{city}}":100}
            """, maxTokens: 5);
        forced.Select(t => t.Text).Should().AllBe(" city");

        var greedyFirst = (await TokensAsync("\"temperature\":0", maxTokens: 1))[0].Text;
        var banned = vocabulary.Lookup(greedyFirst).Id.ToString(CultureInfo.InvariantCulture);
        var avoided = await TokensAsync($$"""
            "temperature":0,"logit_bias":{"{{banned}}":-100}
            """, maxTokens: 1);
        avoided[0].Text.Should().NotBe(greedyFirst);
    }

    [Fact]
    public async Task Best_of_returns_the_candidate_with_the_highest_cumulative_logprob()
    {
        var (_, _, all) = await server.Client.CompleteAsync($$"""{"model":"llama-8b","prompt":{{Prompt}},"max_tokens":12,"seed":21,"n":3,"logprobs":0}""");
        var (_, _, best) = await server.Client.CompleteAsync($$"""{"model":"llama-8b","prompt":{{Prompt}},"max_tokens":12,"seed":21,"n":1,"best_of":3,"logprobs":0}""");

        var candidates = all.GetProperty("choices").EnumerateArray()
            .Select(c => (Text: c.GetProperty("text").GetString(), Score: c.GetProperty("logprobs").GetProperty("token_logprobs").EnumerateArray().Sum(v => v.GetDouble())))
            .ToList();
        var chosen = best.GetProperty("choices");
        chosen.GetArrayLength().Should().Be(1);
        chosen[0].GetProperty("text").GetString().Should().Be(candidates.MaxBy(c => c.Score).Text);
        chosen[0].GetProperty("index").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task N_choices_are_indexed_per_prompt_and_usage_adds_up()
    {
        var (_, body, json) = await server.Client.CompleteAsync("""{"model":"llama-8b","prompt":["One two","Three"],"n":3,"max_tokens":7,"seed":4}""");

        body.ShouldConformTo(Schemas.Completion);
        var choices = json.GetProperty("choices").EnumerateArray().ToList();
        choices.Select(c => c.GetProperty("index").GetInt32()).Should().Equal(0, 1, 2, 3, 4, 5);
        var usage = json.GetProperty("usage");
        usage.GetProperty("prompt_tokens").GetInt32().Should().Be(3 + 2, "each prompt counted once, with its beginning-of-text token");
        usage.GetProperty("completion_tokens").GetInt32().Should().Be(6 * 7);
    }

    [Fact]
    public async Task Length_finish_means_completion_tokens_equal_max_tokens()
    {
        foreach (var max in new[] { 1, 9, 33 })
        {
            var (_, _, json) = await server.Client.CompleteAsync($$$"""{"model":"llama-8b","prompt":"Hello","max_tokens":{{{max}}},"seed":1,"logit_bias":{"128001":-100}}""");

            json.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("length");
            json.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(max);
        }
    }

    [Fact]
    public async Task End_of_text_stops_generation_with_finish_stop()
    {
        var (_, _, json) = await server.Client.CompleteAsync("""{"model":"llama-8b","prompt":"Hello","max_tokens":50,"temperature":0,"logit_bias":{"128001":100},"logprobs":0}""");

        var choice = json.GetProperty("choices")[0];
        choice.GetProperty("finish_reason").GetString().Should().Be("stop");
        choice.GetProperty("stop_reason").ValueKind.Should().Be(JsonValueKind.Null);
        choice.GetProperty("text").GetString().Should().BeEmpty();
        json.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(1, "the end-of-text token is counted (spec-facts I9)");
    }

    [Fact]
    public async Task Synthetic_text_is_made_of_vocabulary_pieces_and_reads_like_words()
    {
        var (_, _, json) = await server.Client.CompleteAsync($$"""{"model":"llama-8b","prompt":{{Prompt}},"max_tokens":60,"seed":8,"logprobs":0}""");

        var tokens = json.GetProperty("choices")[0].GetProperty("logprobs").GetProperty("tokens").EnumerateArray().Select(t => t.GetString()!).ToList();
        var vocabulary = new Vocabulary();
        tokens.Where(t => t != Vocabulary.EndOfText).Should().OnlyContain(t => vocabulary.Lookup(t).Id < vocabulary.Count);
        tokens.Count(t => t.StartsWith(' ')).Should().BeGreaterThan(tokens.Count / 2, "running text is mostly space-led words");
    }

    private async Task<List<SampledToken>> TokensAsync(string settings, int maxTokens = 30)
    {
        // End-of-text is suppressed (unless the test sets its own bias) so every run yields the tokens asked for.
        var extra = settings.Trim();
        if (!extra.Contains("logit_bias", StringComparison.Ordinal))
        {
            extra += ",\"logit_bias\":{\"128001\":-100}";
        }

        if (!extra.Contains("logprobs", StringComparison.Ordinal))
        {
            extra += ",\"logprobs\":1";
        }

        var request = "{\"model\":\"llama-8b\",\"prompt\":" + Prompt + ",\"max_tokens\":" + maxTokens.ToString(CultureInfo.InvariantCulture) + "," + extra + "}";
        var (status, body, json) = await server.Client.CompleteAsync(request);
        status.Should().Be(200, body);
        var logprobs = json.GetProperty("choices")[0].GetProperty("logprobs");
        var result = new List<SampledToken>();
        for (var i = 0; i < logprobs.GetProperty("tokens").GetArrayLength(); i++)
        {
            var text = logprobs.GetProperty("tokens")[i].GetString()!;
            var logprob = logprobs.GetProperty("token_logprobs")[i].GetDouble();
            var top = logprobs.GetProperty("top_logprobs")[i].EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetDouble());
            var rank = 1 + top.Count(p => p.Value > logprob);
            var massAbove = top.Where(p => p.Value > logprob).Sum(p => Math.Exp(p.Value));
            result.Add(new SampledToken(text, logprob, rank, top.Count, massAbove, top.Values.Max()));
        }

        return result;
    }

    private sealed record SampledToken(string Text, double Logprob, int Rank, int TopCount, double MassAbove, double BestLogprob);
}
