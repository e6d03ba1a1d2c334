using System.Text.Json;
using MockServer.Fixtures;
using MockServer.Generation;
using MockServer.Tokenization;

namespace MockServer.Chat;

/// <summary>A call the assistant turn will make: the function and how many scripted tokens its arguments take.</summary>
internal sealed record PlannedCall(string Name, int TokenCount);

/// <summary>
/// What the synthetic assistant says before any token is generated: the script the engine follows (a fixture's
/// content, tool-call arguments, structured output) or none (free text), and the calls whose arguments that script
/// spells out one after another.
/// </summary>
internal sealed record ChatScriptPlan(TokenScript? Script, IReadOnlyList<PlannedCall> Calls)
{
    private static readonly ChatScriptPlan FreeText = new(null, []);

    /// <summary>
    /// The plan for a request: a matched fixture first; else a call when <c>tool_choice</c> demands one; else
    /// structured output when <c>response_format</c> asks for JSON; else free text. <paramref name="seedBits"/> is the
    /// request's seed (or, unseeded, its entropy): the tool picked and its arguments depend on nothing else.
    /// </summary>
    public static ChatScriptPlan For(ChatRequest request, ChatFixture? fixture, Tokenizer tokenizer, ulong seedBits)
    {
        // tool_choice none forbids calls, whatever a fixture scripts; its content (if any) still answers.
        if (fixture is not null && (fixture.ToolCalls.Count == 0 || request.ToolChoice != ToolChoiceMode.None))
        {
            if (fixture.ToolCalls.Count == 0)
            {
                return new ChatScriptPlan(fixture.Script, []);
            }

            var scripted = request.ParallelToolCalls ? fixture.ToolCalls : fixture.ToolCalls.Take(1);
            return CallsOf(tokenizer, [.. scripted.Select(c => (c.Name, c.Arguments))]);
        }

        // The synthetic model never volunteers a call (auto → text), and answers a tool result with text.
        var afterToolResult = request.Messages.Count > 0 && request.Messages[^1].Role == "tool";
        if (!afterToolResult && request.Tools.Count > 0 && request.ToolChoice is ToolChoiceMode.Required or ToolChoiceMode.Named)
        {
            var tool = request.ToolChoice == ToolChoiceMode.Named
                ? request.Tools.FirstOrDefault(t => string.Equals(t.Name, request.ToolChoiceName, StringComparison.Ordinal))
                : request.Tools[(int)(Mix.Hash(seedBits, 1) % (ulong)request.Tools.Count)];
            if (tool is not null)
            {
                return CallsOf(tokenizer, [(tool.Name, Arguments(tool.Parameters, Mix.Hash(seedBits, 2)))]);
            }
        }

        var json = request.ResponseFormat switch
        {
            ResponseFormatKind.JsonObject => JsonSchemaSampler.SampleObject(Mix.Hash(seedBits, 3)),
            ResponseFormatKind.JsonSchema when request.ResponseSchema is { } schema => JsonSchemaSampler.Sample(schema, Mix.Hash(seedBits, 3)),
            _ => null,
        };
        return json is null ? FreeText : new ChatScriptPlan(new TokenScript(Tokens(tokenizer, json), ContinueSynthetic: false), []);
    }

    /// <summary>Arguments valid against a function's parameter schema; a function without one takes an empty object.</summary>
    private static string Arguments(JsonElement? parameters, ulong seed) =>
        parameters is { ValueKind: JsonValueKind.Object or JsonValueKind.True } schema ? JsonSchemaSampler.Sample(schema, seed) : "{}";

    private static ChatScriptPlan CallsOf(Tokenizer tokenizer, IReadOnlyList<(string Name, string Arguments)> calls)
    {
        var tokens = new List<FixtureToken>();
        var planned = new List<PlannedCall>(calls.Count);
        foreach (var (name, arguments) in calls)
        {
            var own = Tokens(tokenizer, arguments);
            tokens.AddRange(own);
            planned.Add(new PlannedCall(name, own.Count));
        }

        return new ChatScriptPlan(new TokenScript(tokens, ContinueSynthetic: false), planned);
    }

    /// <summary>Text as the model would write it: the tokenizer's pieces (no beginning-of-text), so usage counts them.</summary>
    private static List<FixtureToken> Tokens(Tokenizer tokenizer, string text) =>
        [.. tokenizer.TokenizePrompt(text).Skip(1).Select(t => new FixtureToken(t.Text, null, null))];
}
