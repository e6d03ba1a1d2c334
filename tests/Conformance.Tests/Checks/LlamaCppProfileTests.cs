using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>
/// The <c>llamacpp</c> profile describes a current llama.cpp server (spec-facts §12): a fake that answers as that server
/// passes under it with its divergences listed, fails <c>acs</c> exactly on the documented quirks, and a regression
/// still fails under it.
/// </summary>
public sealed class LlamaCppProfileTests
{
    /// <summary>Every check the llama.cpp wire breaks under <c>acs</c>, with the fact that explains it.</summary>
    private static readonly Dictionary<string, string> AcsQuirks = new(StringComparer.Ordinal)
    {
        ["validation.unknown-parameter"] = "§12.1 unknown parameters are ignored",
        ["validation.numeric-string.max_tokens"] = "§12.1 refused, but errors carry no param",
        ["validation.numeric-string.temperature"] = "§12.1 refused, but errors carry no param",
        ["validation.range.n-zero"] = "§12.1 n's range check, an error without param",
        ["validation.missing-prompt"] = "§12.1 errors carry no param",
        ["validation.range.temperature-above-max"] = "§12.1 n's range check is the only one in effect",
        ["validation.range.top_p-zero"] = "§12.1 the same",
        ["validation.range.presence_penalty-above-max"] = "§12.1 the same",
        ["validation.range.frequency_penalty-below-min"] = "§12.1 the same",
        ["validation.range.logprobs-negative"] = "§12.1 the same",
        ["validation.logprobs.above-limit"] = "§12.1 the same",
        ["validation.stream-options.without-stream"] = "§12.1 usage whatever stream_options says: the field is not judged",
        ["validation.stream-options.empty-without-stream"] = "§12.1 the same",
        ["validation.prompt-logprobs.while-streaming"] = "§12.1 unknown (vLLM) parameters are ignored",
        ["validation.range.max_tokens-zero"] = "§12.1 max_tokens 0 still generates one token",
        ["validation.range.max_tokens-negative"] = "§12.1 max_tokens -1 generates until the context is full",
        ["validation.missing-model"] = "§12.1 the model is not validated",
        ["validation.unknown-model"] = "§12.1 any model is answered as the served alias",
        ["validation.invalid-json"] = "§12.1 invalid JSON gets 500",
        ["validation.content-type"] = "§12.1 Content-Type is not checked",
        ["auth.missing-key"] = "§12.1 error envelope {code, message, type}: type authentication_error",
        ["auth.wrong-key"] = "§12.1 the same",
        ["completion.shape"] = "§9 Q13 no stop_reason; §12.1 prompt_logprobs ignored",
        ["completion.id-format"] = "§12.1 text completion ids start chatcmpl-",
        ["completion.stop.reason-names-match"] = "§9 Q13 stopping_word instead of stop_reason",
        ["models.list-shape"] = "§7 llama.cpp's card: meta, no root/parent/max_model_len/permission",
        ["stream.chunk-shape"] = "§9 Q13 no stop_reason on chunks",
        ["stream.usage.null-on-content-chunks"] = "§12.1 no usage key on content chunks, usage on the finish chunk",
        ["stream.finish-reason.on-last-content-chunk"] = "§12.1 the last chunk has text \"\"",
        ["stream.usage.present-when-requested"] = "§12.1 never a choices: [] chunk",
        ["stream.usage.absent-when-not-requested"] = "§12.1 usage on the finish chunk whatever stream_options says",
        ["stream.usage.absent-when-options-empty"] = "§12.1 the same (a SHOULD under acs)",
        ["stream.usage.absent-when-include-usage-false"] = "§12.1 including include_usage: false",
        ["logprobs.arrays-equal-length"] = "§12.1 logprobs in the chat shape",
        ["logprobs.values-non-positive"] = "§12.1 the same",
        ["logprobs.top-k-size"] = "§12.1 the same",
        ["logprobs.top-contains-sampled"] = "§12.1 the same",
        ["logprobs.text-offset-non-decreasing"] = "§12.1 the same",
        ["logprobs.stream-per-chunk"] = "§12.1 the same, streamed",
        ["logprobs.echo-first-null"] = "§12.1 echo is ignored",
        ["logprobs.prompt-logprobs-shape"] = "§12.1 prompt_logprobs (a vLLM extension) is ignored",
        ["errors.envelope"] = "§12.1 errors carry no param (and an integer code)",
        ["errors.no-5xx"] = "§12.1 invalid JSON gets 500",
        ["schema.completion"] = "§12.1 the llama.cpp wire is not the acs key set (a SHOULD under acs)",
        ["schema.chunk"] = "the same",
        ["schema.error"] = "the same",
        ["schema.models"] = "the same",
    };

    private static FakeServerOptions Llama() => new() { Dialect = FakeDialect.LlamaCpp };

    [Fact]
    public async Task LlamaCppServer_UnderItsProfile_SucceedsWithItsDivergencesListed()
    {
        var report = await Suite.RunAsync(Llama(), o => o.Profile = "llamacpp");

        report.Checks.Where(c => c.Verdict == Verdict.Fail).Select(c => $"{c.Id}: {c.Message}").Should().BeEmpty();
        report.Succeeded.Should().BeTrue();
        var divergent = report.Checks.Where(c => c.Verdict == Verdict.Divergence).Select(c => c.Id).ToList();
        divergent.Should().Contain(["validation.boolean.n.false", "validation.invalid-json", "stream.usage.absent-when-include-usage-false", "logprobs.top-k-size"]);
        report.Checks.Single(c => c.Id == "validation.boolean.n.false").Message.Should().Be("the server refused `n: false` exactly as it refuses `n: 0`: the boolean was coerced, not refused");
        report.Checks.Single(c => c.Id == "logprobs.top-k-size").Message.Should().Contain("logprobs has the chat shape {content: [...]}, expected {tokens, token_logprobs, top_logprobs, text_offset}");
        report.Checks.Single(c => c.Id == "logprobs.stream-per-chunk").Message.Should().Contain("has the chat shape");

        // Invalid JSON's 500 is the profile's expected divergence, counted once: errors.no-5xx leaves it to its check.
        report.Checks.Single(c => c.Id == "validation.invalid-json").Message.Should().Contain("the 5xx the llamacpp profile expects");
        report.Checks.Single(c => c.Id == "errors.no-5xx").Verdict.Should().Be(Verdict.Pass);
        report.Observations.Should().Contain(new KeyValuePair<string, string>("stream.usage_with_include_usage_false", "true"));
        report.Observations["validation.booleans_accepted"].Should().Be("26", "every boolean is accepted, n: false by coercion");
    }

    [Fact]
    public async Task LlamaCppServer_UnderAcs_FailsExactlyOnTheDocumentedQuirks()
    {
        var report = await Suite.RunAsync(Llama());

        report.Checks.Where(c => c.Verdict is Verdict.Fail or Verdict.Warn).Select(c => c.Id)
            .Where(id => !id.StartsWith("validation.boolean.", StringComparison.Ordinal))
            .Should().BeEquivalentTo(AcsQuirks.Keys);

        // §12.1: booleans are accepted, n: false refused only after coercion to 0.
        report.Checks.Where(c => c.Id.StartsWith("validation.boolean.", StringComparison.Ordinal)).Should().HaveCount(26)
            .And.OnlyContain(c => c.Verdict == Verdict.Fail);
        report.Checks.Single(c => c.Id == "validation.boolean.n.false").Message.Should().Contain("the boolean was coerced");
        report.Checks.Where(c => c.Verdict is not (Verdict.Fail or Verdict.Warn)).Should().OnlyContain(c => c.Verdict == Verdict.Pass || Suite.ObservedOnly.Contains(c.Id)
            || (c.Category == "chat" && c.Verdict == Verdict.NotApplicable), "the llama.cpp fake serves completions only");
    }

    [Theory]
    [InlineData(Violation.ServerErrorOnBadLogitBias, "errors.no-5xx", "answered HTTP 500")]
    [InlineData(Violation.StreamNonJsonEvent, "stream.json-per-event", "not a JSON object")]
    public async Task LlamaCppServer_ARegression_StillFailsUnderItsProfile(Violation regression, string id, string because)
    {
        var fake = Llama();
        fake.Violations.Add(regression);

        var report = await Suite.RunAsync(fake, o => o.Profile = "llamacpp");

        var check = report.Checks.Single(c => c.Id == id);
        check.Verdict.Should().Be(Verdict.Fail, check.Message);
        check.Message.Should().Contain(because);
        report.Succeeded.Should().BeFalse();
    }
}
