using System.Text.Json.Nodes;

namespace Conformance.Checks;

/// <summary>
/// What a completion and a chat completion body share (spec-facts §2.1, §2.2 I1; OAS CreateChatCompletionResponse):
/// an integer created, a model name, a non-empty choices array and integer usage counts. Each shape check adds its own
/// object name and choice rules.
/// </summary>
internal static class CompletionShape
{
    private static readonly string[] UsageKeys = ["prompt_tokens", "completion_tokens", "total_tokens"];

    /// <summary>The shared issues, in the order both shape checks report them; <paramref name="choiceIssues"/> judges each choice.</summary>
    public static IEnumerable<string> Issues(JsonObject body, Func<JsonNode?, IEnumerable<string>> choiceIssues)
    {
        if (Json.Int(body["created"]) is null)
        {
            yield return $"created is {Json.Show(body["created"])}, not an integer";
        }

        if (string.IsNullOrEmpty(Json.Str(body["model"])))
        {
            yield return "model is not a non-empty string";
        }

        if (body["choices"] is not JsonArray { Count: > 0 } choices)
        {
            yield return "choices is not a non-empty array";
        }
        else
        {
            foreach (var issue in choices.SelectMany(choiceIssues))
            {
                yield return issue;
            }
        }

        foreach (var key in UsageKeys.Where(k => Json.Int(body["usage"]?[k]) is null))
        {
            yield return $"usage.{key} is not an integer";
        }
    }
}
