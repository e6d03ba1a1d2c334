using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;

namespace Conformance.Tests.Fakes;

/// <summary>Deterministic generation, logprobs, the non-streamed completion and the model list.</summary>
public sealed partial class FakeAcsServer
{
    private static readonly string[] Vocabulary =
    [
        " Paris", " the", " a", " city", " of", " France", " and", ".", " is", " known", " for", " its", " art", "\n", " It",
        "’s", " fast", " again", " river", " light", " old", " new", " small", " bread", " wine", " home", " time", " place",
        " where", " people", " live", " well",
    ];

    private async Task ModelsAsync(HttpContext ctx)
    {
        if (await HostileAsync(ctx))
        {
            return;
        }

        if (IsLlama)
        {
            await LlamaModelsAsync(ctx);
            return;
        }

        if (await AuthFailedAsync(ctx))
        {
            return;
        }

        var card = new JsonObject
        {
            ["id"] = Has(Violation.ModelsMissingConfigured) ? "other-model" : Model,
            ["object"] = "model",
            ["created"] = Created,
            ["owned_by"] = "vllm",
            ["root"] = Root,
            ["parent"] = null,
            ["max_model_len"] = 131072,
            ["permission"] = new JsonArray(new JsonObject { ["id"] = "modelperm-" + new string('0', 32), ["object"] = "model_permission", ["created"] = Created }),
        };
        if (Has(Violation.ModelCardExtraKey))
        {
            card["meta"] = new JsonObject(); // llama.cpp-style extra (spec-facts §7)
        }

        var list = new JsonObject { ["object"] = Has(Violation.ModelsObjectWrong) ? "models" : "list", ["data"] = new JsonArray(card) };
        await WriteJsonAsync(ctx, 200, list);
    }

    private sealed record Token(string Text, int Id, double Logprob, List<(string Text, double Logprob)> Top);

    private sealed record Generation(List<Token> PromptTokens, List<Token> Tokens, string Text, string FinishReason, string? StopReason);

    private Generation Generate(Request request, int requestNumber)
    {
        var promptTokens = Words().Matches(request.Prompt).Select((m, i) => MakeToken(m.Value, i, request.Logprobs ?? 1, -1.5)).ToList();
        var tokens = new List<Token>();
        var text = new StringBuilder();
        string finish = "length";
        string? stopReason = null;
        var salt = request.Temperature == 0 ? "greedy" : request.Seed is { } seed && !Has(Violation.SeedIgnored) ? "seed" + seed : "run" + requestNumber;
        if (Has(Violation.StopRunDiverges) && request.Stop.Count > 0)
        {
            salt = "diverged";
        }

        for (var i = 0; i < request.MaxTokens; i++)
        {
            var index = (int)(Hash(request.Prompt + "|" + salt + "|" + i) % (uint)Vocabulary.Length);
            var token = MakeToken(Vocabulary[index], index, request.Logprobs ?? 0, -0.25);
            tokens.Add(token);
            text.Append(token.Text);
            var hit = request.Stop.Where(s => s.Length > 0).Select(s => (Stop: s, At: text.ToString().IndexOf(s, StringComparison.Ordinal))).Where(x => x.At >= 0).OrderBy(x => x.At).FirstOrDefault();
            if (hit.Stop is not null)
            {
                // The stop string and anything after it are not returned (spec-facts §2.2 I10).
                text.Length = Has(Violation.StopStringIncluded) ? hit.At + hit.Stop.Length : hit.At;
                finish = Has(Violation.StopFinishLength) ? "length" : "stop";
                stopReason = Has(Violation.StopReasonNull) ? null : hit.Stop;
                break;
            }
        }

        return new Generation(promptTokens, tokens, text.ToString(), finish, stopReason);
    }

    private static Token MakeToken(string text, int id, int k, double logprob)
    {
        // The sampled token first, then k-1 distinct alternatives: k entries in all, the vLLM count when the sampled token is in the top k.
        var top = new List<(string, double)> { (text, logprob) };
        for (var j = 1; top.Count < Math.Max(1, k); j++)
        {
            var alt = Vocabulary[(id + (j * 7)) % Vocabulary.Length];
            if (alt != text && top.All(t => t.Item1 != alt))
            {
                top.Add((alt, logprob - j));
            }
        }

        return new Token(text, 1000 + id, logprob, top);
    }

    private JsonObject Logprobs(IReadOnlyList<Token> tokens, int offset, bool echoFirst, int k)
    {
        var tokenTexts = new JsonArray();
        var values = new JsonArray();
        var tops = new JsonArray();
        var offsets = new JsonArray();
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            tokenTexts.Add(t.Text);
            var first = echoFirst && i == 0;
            if (first && !Has(Violation.EchoFirstNotNull))
            {
                values.Add(null);
                tops.Add(null);
            }
            else
            {
                values.Add(Has(Violation.LogprobsPositive) ? 0.5 : t.Logprob);
                var top = new JsonObject();
                var entries = t.Top.Take(Math.Max(1, k)).ToList();
                if (Has(Violation.LogprobsTopMissingSampled))
                {
                    entries[0] = ("<not-sampled>", t.Logprob);
                }

                if (Has(Violation.LogprobsTopKFewer))
                {
                    entries = [entries[0]];
                }

                if (Has(Violation.LogprobsTopKTooMany))
                {
                    entries.Add(("<extra-1>", -9.0));
                    entries.Add(("<extra-2>", -9.5));
                }

                foreach (var (text, value) in entries)
                {
                    top[text] = value;
                }

                tops.Add(top);
            }

            offsets.Add(offset);
            offset += t.Text.EnumerateRunes().Count();
        }

        if (Has(Violation.LogprobsOffsetsDecreasing) && offsets.Count > 1)
        {
            var reversed = offsets.Select(o => o!.GetValue<int>()).Reverse().ToList();
            offsets = [.. reversed.Select(o => (JsonNode)o)];
        }

        if (Has(Violation.LogprobsShortOffsets) && offsets.Count > 0)
        {
            offsets.RemoveAt(offsets.Count - 1);
        }

        return new JsonObject { ["text_offset"] = offsets, ["tokens"] = tokenTexts, ["token_logprobs"] = values, ["top_logprobs"] = tops };
    }

    private static JsonObject Usage(int prompt, int completion, int totalSkew = 0) =>
        new() { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion + totalSkew };

    private static int PromptCount(Generation g) => g.PromptTokens.Count + 1; // BOS counts (spec-facts §1.3)

    private JsonObject NonStreamed(Request request, Generation g, int number)
    {
        JsonNode? logprobs = null;
        if (request.Logprobs is { } k)
        {
            logprobs = request.Echo
                ? Logprobs([.. g.PromptTokens, .. g.Tokens], 0, echoFirst: true, k)
                : Logprobs(g.Tokens, 0, echoFirst: false, k);
        }

        JsonArray? promptLogprobs = null;
        if (request.PromptLogprobs is { } pk)
        {
            promptLogprobs = [Has(Violation.PromptLogprobsFirstNotNull) ? new JsonObject { ["128000"] = new JsonObject { ["logprob"] = -1.0, ["rank"] = 1, ["decoded_token"] = "<|begin_of_text|>" } } : null];
            foreach (var t in g.PromptTokens)
            {
                var entry = new JsonObject();
                foreach (var (alt, i) in t.Top.Take(pk + 1).Select((a, i) => (a, i)))
                {
                    entry[(t.Id + (i * 3)).ToString(CultureInfo.InvariantCulture)] = new JsonObject { ["logprob"] = alt.Logprob, ["rank"] = i + 1, ["decoded_token"] = alt.Text };
                }

                promptLogprobs.Add(entry);
            }
        }

        var completion = g.Tokens.Count + (Has(Violation.LengthCompletionTokensOff) ? 1 : 0);
        var choice = new JsonObject
        {
            ["index"] = 0,
            ["text"] = request.Echo ? request.Prompt + g.Text : g.Text,
            ["logprobs"] = logprobs,
            ["finish_reason"] = Has(Violation.FinishContentFilter) ? "content_filter" : g.FinishReason,
            ["stop_reason"] = g.StopReason,
            ["prompt_logprobs"] = promptLogprobs,
        };
        var response = new JsonObject
        {
            ["id"] = Has(Violation.IdWithoutPrefix) ? "completion-" + number : Id(number),
            ["object"] = Has(Violation.NonStreamObjectWrong) ? "completion" : "text_completion",
            ["created"] = Created,
            ["model"] = Root,
            ["choices"] = new JsonArray(choice),
            ["usage"] = Usage(PromptCount(g), completion, Has(Violation.UsageTotalOff) ? 1 : 0),
        };
        if (Has(Violation.CompletionExtraKey))
        {
            response["metrics"] = null; // a newer vLLM key (spec-facts §2.1)
        }

        return response;
    }

    private string Id(int number) => "cmpl-" + number.ToString("x" + _options.IdHexDigits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static uint Hash(string text)
    {
        // FNV-1a: stable across runs and platforms, unlike string.GetHashCode.
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(text))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return hash;
    }

    [GeneratedRegex(@"\s*\S+")]
    private static partial Regex Words();
}
