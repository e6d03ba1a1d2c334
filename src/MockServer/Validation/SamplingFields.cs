using System.Text.Json;
using MockServer.Generation;
using MockServer.Tokenization;
using static MockServer.Validation.StrictJson;

namespace MockServer.Validation;

/// <summary>
/// The sampling parameters completions and chat both take, read with one set of ranges (vLLM's where stricter than
/// OpenAI's, spec-facts §1.2: <c>top_p</c> in (0, 1]) and the same unset defaults (OpenAI's, not a model's
/// generation_config), so the two endpoints cannot drift apart.
/// </summary>
/// <param name="lax">How the request's dialect reads booleans and numeric strings (<see cref="LaxValues"/>).</param>
internal sealed class SamplingFields(LaxValues lax = default)
{
    private long? _topK;
    private double? _temperature, _topP, _minP, _presence, _frequency, _repetition;
    private IReadOnlyDictionary<int, double> _logitBias = SamplingParameters.NoLogitBias;

    public long? Seed { get; private set; }

    /// <summary>The temperature in effect: as sent, or the dialect's default (1 as OpenAI's).</summary>
    public double Temperature => _temperature ?? Defaults.Temperature;

    /// <summary>What an omitted parameter is: the dialect's defaults (spec-facts §9 Q18), OpenAI's for the strict default.</summary>
    private SamplingParameters Defaults => lax.Dialect?.SamplingDefaults ?? NoDefaults;

    private static readonly SamplingParameters NoDefaults = new();

    /// <summary>Reads <paramref name="name"/> when it is a sampling parameter; false when it is not one.</summary>
    public bool TryRead(string name, JsonElement v, Vocabulary vocabulary)
    {
        switch (name)
        {
            case "seed": Seed = ReadInteger("seed", lax.Number(v), long.MinValue, long.MaxValue); return true;
            case "top_k": _topK = ReadInteger("top_k", lax.Number(v), -1, int.MaxValue); return true;
            case "temperature": _temperature = ReadNumber("temperature", lax.Number(v), 0, 2); return true;
            case "top_p": _topP = ReadNumber("top_p", lax.Number(v), 0, 1, minExclusive: true); return true;
            case "min_p": _minP = ReadNumber("min_p", lax.Number(v), 0, 1); return true;
            case "presence_penalty": _presence = ReadNumber("presence_penalty", lax.Number(v), -2, 2); return true;
            case "frequency_penalty": _frequency = ReadNumber("frequency_penalty", lax.Number(v), -2, 2); return true;
            case "repetition_penalty": _repetition = ReadNumber("repetition_penalty", lax.Number(v), 0, 2, minExclusive: true); return true;
            case "logit_bias": _logitBias = ReadLogitBias(v, vocabulary); return true;
            default: return false;
        }
    }

    public SamplingParameters Build() => new()
    {
        Temperature = Temperature,
        TopP = _topP ?? Defaults.TopP,
        TopK = (int)(_topK ?? Defaults.TopK),
        MinP = _minP ?? Defaults.MinP,
        PresencePenalty = _presence ?? Defaults.PresencePenalty,
        FrequencyPenalty = _frequency ?? Defaults.FrequencyPenalty,
        RepetitionPenalty = _repetition ?? Defaults.RepetitionPenalty,
        LogitBias = _logitBias,
    };
}
