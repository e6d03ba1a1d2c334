using System.Globalization;
using System.Text;

namespace MockServer.Dialects;

/// <summary>
/// Renders <c>docs/dialects.md</c> from <see cref="Dialects.All"/>: every dialect's quirks with their spec-facts sections,
/// what it does not reproduce, and its rules side by side. A test compares the file with this output, so the doc
/// cannot drift from the data the server runs on.
/// </summary>
internal static class DialectsMarkdown
{
    /// <summary>The command that rewrites the file, printed when it has drifted.</summary>
    public const string RegenerateCommand = "MOCK_REGENERATE_DOCS=1 dotnet test tests/MockServer.Tests --filter FullyQualifiedName~DialectsDoc";

    public static string Render()
    {
        var all = Dialects.All;
        var md = new StringBuilder();
        md.Append("# Dialects of the mock server\n\n");
        md.Append("Generated from `src/MockServer/Dialects/Dialects.cs`; do not edit. Regenerate with:\n\n");
        md.Append("```\n").Append(RegenerateCommand).Append("\n```\n\n");
        md.Append("A dialect is the wire of one kind of server, named like the conformance suite's profile that judges it. ");
        md.Append("Choose it per model in a fixture (`\"dialect\"`) or for the whole server with `--profile NAME`; what is judged ");
        md.Append("before a request names a model (Content-Type, invalid JSON, a missing or unknown model) follows `--profile`, ");
        md.Append("else `acs`. Sections (§) are those of the spec-facts sheet.\n\n");

        md.Append("| Dialect | What it is | Quirks |\n|---|---|---|\n");
        foreach (var d in all)
        {
            md.Append(CultureInfo.InvariantCulture, $"| `{d.Name}` | {Cell(d.Description)} | {d.Quirks.Count} |\n");
        }

        md.Append("\n## Rules side by side\n\n");
        md.Append("| Rule |").Append(string.Concat(all.Select(d => $" `{d.Name}` |"))).Append('\n');
        md.Append("|---|").Append(string.Concat(all.Select(_ => "---|"))).Append('\n');
        foreach (var (rule, value) in Rules)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {rule} |").Append(string.Concat(all.Select(d => $" {Cell(value(d))} |"))).Append('\n');
        }

        foreach (var d in all)
        {
            md.Append(CultureInfo.InvariantCulture, $"\n## `{d.Name}`\n\n{d.Description}\n\n");
            md.Append("| Quirk | What a client sees | spec-facts |\n|---|---|---|\n");
            foreach (var q in d.Quirks)
            {
                md.Append(CultureInfo.InvariantCulture, $"| `{q.Id}` | {Cell(q.Description)} | {Cell(q.Spec)} |\n");
            }

            if (d.NotReproduced.Count > 0)
            {
                md.Append("\nNot reproduced:\n\n| Behaviour | Why not | spec-facts |\n|---|---|---|\n");
                foreach (var q in d.NotReproduced)
                {
                    md.Append(CultureInfo.InvariantCulture, $"| `{q.Id}` | {Cell(q.Description)} | {Cell(q.Spec)} |\n");
                }
            }
        }

        return md.ToString();
    }

    /// <summary>Each rule a dialect sets, as the table shows it.</summary>
    private static readonly (string Rule, Func<Dialect, string> Value)[] Rules =
    [
        ("Booleans in numeric fields", d => d.Booleans == CoercionPolicy.Coerced ? "coerced (1/0)" : "400"),
        ("Numeric strings in numeric fields", d => d.NumericStrings == CoercionPolicy.Coerced ? "coerced" : "400"),
        ("Unknown parameters", d => d.UnknownParameters == UnknownParameterPolicy.Ignored ? "ignored" : "400"),
        ("Completions fields ignored", d => d.IgnoredCompletionParameters.Count == 0 ? "none" : string.Join(", ", d.IgnoredCompletionParameters.Order(StringComparer.Ordinal))),
        ("`stream_options` without `stream`", d => d.StreamOptionsWithoutStream switch
        {
            StreamOptionsPolicy.RefusedWhenNonEmpty => "400 unless `{}`",
            StreamOptionsPolicy.Ignored => "ignored",
            _ => "400",
        }),
        ("`include_usage` when `stream_options` omits it", d => d.IncludeUsageDefaultInStreamOptions ? "true" : "false"),
        ("`max_tokens` 0 / negative / none", d => d.MaxTokens == MaxTokensPolicy.LlamaCpp ? "1 token / fill the context / fill the context" : "400 (0 allowed with echo) / 400 / 16"),
        ("Temperature 0 with `n` > 1", d => d.RefusesGreedyChoices ? "400" : "served (identical choices)"),
        ("Omitted sampler parameters", d => d.SamplingDefaults == new Generation.SamplingParameters() ? "OpenAI's (temperature 1, top_p 1)"
            : string.Create(CultureInfo.InvariantCulture, $"temperature {d.SamplingDefaults.Temperature}, top_k {d.SamplingDefaults.TopK}, top_p {d.SamplingDefaults.TopP}, min_p {d.SamplingDefaults.MinP}")),
        ("Chat on a model without template", d => d.FallbackChatTemplate is { } t ? $"rendered with `{t}`" : "400"),
        ("Missing `model`", d => d.ModelRequired ? "400" : "the served model"),
        ("Unknown `model`", d => d.ValidatesModelName ? "404" : "the served model"),
        ("Content-Type checked", d => d.ChecksContentType ? "yes" : "no"),
        ("Invalid JSON", d => d.InvalidJsonStatus.ToString(CultureInfo.InvariantCulture)),
        ("`error.code`", d => d.ErrorCode == ErrorCodeKind.HttpStatus ? "HTTP status (int)" : "string or null"),
        ("`error.param`", d => d.ErrorParamKey ? "present" : "absent"),
        ("Completion id prefix", d => $"`{d.CompletionIdPrefix}`"),
        ("Response `model`", d => d.ResponseModel == ResponseModelName.Alias ? "alias" : "root"),
        ("Completions logprobs", d => d.CompletionLogprobs == CompletionLogprobsShape.ChatShaped ? "chat-shaped `{content: [...]}`" : "legacy arrays"),
        ("Completions stream end", d => d.CompletionStreamEnd == CompletionStreamEnd.EmptyFinishChunkWithUsage
            ? "`text: \"\"` finish chunk with usage, always" : "finish on last token; usage chunk with `include_usage`"),
        ("vLLM null keys (`stop_reason`, `usage: null`, ...)", d => d.CompletionVllmKeys ? "yes" : "no"),
        ("Model card", d => d.ModelCard == ModelCardShape.LlamaCpp ? "`meta`, `owned_by: llamacpp`" : "vLLM keys"),
        ("`timings`", d => d.Timings ? "on the last chunk and non-streamed completions" : "none"),
        ("Stream `created`", d => d.CreatedPerChunk ? "read per chunk" : "constant"),
        ("Chat role chunk `content`", d => d.RoleContent switch
        {
            RoleChunkContent.Absent => "absent",
            RoleChunkContent.Null => "null",
            _ => "\"\"",
        }),
        ("Chat finish", d => d.Finish == FinishPlacement.WithLastContent ? "with the last content delta" : "separate `delta: {}` chunk"),
        ("Chat usage in streams", d => d.Usage == UsagePlacement.FinalChunkAlways ? "final chunk, always"
            : d.UsageNullWhenIncluded ? "`choices: []` chunk with `include_usage`; `usage: null` elsewhere" : "`choices: []` chunk with `include_usage`; no key elsewhere"),
        ("Chat `stop_reason`", d => d.ChatStopReason ? "yes" : "no"),
        ("Chat logprobs `refusal` key", d => d.ChatLogprobsRefusalKey ? "yes" : "no"),
        ("`system_fingerprint`", d => d.SystemFingerprint is { } f ? $"`{f}`" : "none"),
    ];

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);
}
