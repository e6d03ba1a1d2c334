using System.Text.Json;
using MockServer.Errors;
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
    /// The plan for one choice of a request: a usable fixture first (<see cref="Usable"/>); else a call when
    /// <c>tool_choice</c> demands one; else structured output when <c>response_format</c> asks for JSON; else free text.
    /// <paramref name="seedBits"/> is the choice's seed (from the request's seed or, unseeded, its entropy): the tool
    /// picked and its arguments depend on nothing else. Throws an <see cref="ApiErrorException"/> (400
    /// <c>unsupported_schema</c>) when no value the mock can write validates against the schema.
    /// </summary>
    public static ChatScriptPlan For(ChatRequest request, ChatFixture? fixture, Tokenizer tokenizer, ulong seedBits, SchemaBudget budget)
    {
        if (fixture is not null)
        {
            return fixture.ToolCalls.Count == 0
                ? new ChatScriptPlan(fixture.Script, [])
                : CallsOf(tokenizer, [.. Scripted(request, fixture).Select(c => (c.Name, c.Arguments))]);
        }

        // The synthetic model never volunteers a call (auto → text, also after a tool result). A forced choice
        // (required, or a named function) calls on every turn, after a tool result too, as OpenAI does.
        if (request.Tools.Count > 0 && request.ToolChoice is ToolChoiceMode.Required or ToolChoiceMode.Named)
        {
            var index = request.ToolChoice == ToolChoiceMode.Named
                ? request.Tools.ToList().FindIndex(t => string.Equals(t.Name, request.ToolChoiceName, StringComparison.Ordinal))
                : (int)(Mix.Hash(seedBits, 1) % (ulong)request.Tools.Count);
            if (index >= 0)
            {
                var tool = request.Tools[index];
                return CallsOf(tokenizer, [(tool.Name, Arguments(tool.Parameters, Mix.Hash(seedBits, 2), budget, $"tools[{index}].function.parameters"))]);
            }
        }

        var json = request.ResponseFormat switch
        {
            ResponseFormatKind.JsonObject => JsonSchemaSampler.SampleObject(Mix.Hash(seedBits, 3)),
            ResponseFormatKind.JsonSchema when request.ResponseSchema is { } schema =>
                Sample(schema, Mix.Hash(seedBits, 3), budget, objectRoot: false, "response_format.json_schema.schema", "content that validates"),
            _ => null,
        };
        return json is null ? FreeText : new ChatScriptPlan(new TokenScript(Tokens(tokenizer, json), ContinueSynthetic: false), []);
    }

    /// <summary>
    /// Whether a fixture may answer this request. A fixture of content always may (a script is explicit, so it wins
    /// over <c>required</c> or <c>json_schema</c> too); one of tool calls only when the request allows those calls:
    /// <c>tool_choice</c> is not <c>none</c>, each function it calls is declared in <c>tools</c>, and a named
    /// <c>tool_choice</c> names that function. Otherwise the next fixture, or the synthetic model, answers.
    /// </summary>
    public static bool Usable(ChatRequest request, ChatFixture fixture) => Unusable(request, fixture) is null;

    /// <summary>
    /// Why a fixture may not answer this request (<see cref="Usable"/>'s rule, in words for a near miss), or null when
    /// it may. One rule, so the explanation cannot drift from the decision.
    /// </summary>
    public static string? Unusable(ChatRequest request, ChatFixture fixture)
    {
        if (fixture.ToolCalls.Count == 0)
        {
            return null;
        }

        // Without tools tool_choice is 'none' too; saying the tools are missing points at the fix.
        if (request.Tools.Count == 0)
        {
            return $"the fixture calls '{fixture.ToolCalls[0].Name}', but the request declares no tools";
        }

        if (request.ToolChoice == ToolChoiceMode.None)
        {
            return "the fixture calls tools, but the request's tool_choice is 'none'";
        }

        foreach (var call in Scripted(request, fixture))
        {
            if (!request.Tools.Any(t => string.Equals(t.Name, call.Name, StringComparison.Ordinal)))
            {
                return $"the fixture calls '{call.Name}', which the request's tools do not declare ({string.Join(", ", request.Tools.Select(t => $"'{t.Name}'"))})";
            }

            if (request.ToolChoice == ToolChoiceMode.Named && !string.Equals(call.Name, request.ToolChoiceName, StringComparison.Ordinal))
            {
                return $"the fixture calls '{call.Name}', but the request's tool_choice names '{request.ToolChoiceName}'";
            }
        }

        return null;
    }

    /// <summary>The fixture's calls this request makes: all of them, or the first when parallel_tool_calls is false.</summary>
    private static IEnumerable<ScriptedToolCall> Scripted(ChatRequest request, ChatFixture fixture) =>
        request.ParallelToolCalls ? fixture.ToolCalls : fixture.ToolCalls.Take(1);

    /// <summary>
    /// Arguments valid against a function's parameter schema, always a JSON object (tool arguments are one; a function
    /// without parameters, or with <c>{}</c>, takes <c>{}</c> or a small object).
    /// </summary>
    private static string Arguments(JsonElement? parameters, ulong seed, SchemaBudget budget, string param) =>
        parameters is { } schema ? Sample(schema, seed, budget, objectRoot: true, param, "arguments (a JSON object) that validate") : "{}";

    /// <summary>
    /// A value valid against a request's schema, or a 400 naming <paramref name="param"/>: when no seed gives one, when the
    /// schema needs more work than <see cref="SchemaBudget"/> allows, or when a value in it is out of what the generator
    /// can compute with (a bound beyond decimal's range): a request's schema never turns into a 500.
    /// </summary>
    private static string Sample(JsonElement schema, ulong seed, SchemaBudget budget, bool objectRoot, string param, string what)
    {
        try
        {
            return JsonSchemaSampler.TrySample(schema, seed, budget, objectRoot) ?? throw Unsupported(param, what);
        }
        catch (SchemaBudgetExceededException)
        {
            throw new ApiErrorException(new ApiError(400,
                $"Invalid schema in '{param}': generating {what} against this schema needs more work than the mock allows per request ({SchemaBudget.PerRequest} steps: deep recursion, wide anyOf/oneOf or large minItems/minProperties multiply). A chat fixture can script this answer instead.",
                ApiError.InvalidRequest, param, "unsupported_schema"));
        }
        catch (Exception e) when (e is OverflowException or InvalidOperationException or FormatException or ArgumentException)
        {
            throw new ApiErrorException(new ApiError(400,
                $"Invalid schema in '{param}': a value in it is outside what the mock's generator can compute with ({e.GetType().Name}). A chat fixture can script this answer instead.",
                ApiError.InvalidRequest, param, "unsupported_schema"));
        }
    }

    private static ApiErrorException Unsupported(string param, string what) => new(new ApiError(400,
        $"Invalid schema in '{param}': the mock cannot generate {what} against this schema (it tried {JsonSchemaSampler.Attempts} seeds; "
        + "the schema may be unsatisfiable, or use 'pattern', 'not' or other keywords its generator does not satisfy). A chat fixture can script this answer instead.",
        ApiError.InvalidRequest, param, "unsupported_schema"));

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
