using System.Collections.Concurrent;
using Conformance.Http;
using NJsonSchema;
using NJsonSchema.Validation;

namespace Conformance.Checks;

/// <summary>
/// The repository's <c>schemas/</c> applied to what the endpoint sends: the same files the MockServer is tested
/// against, so the mock and the suite cannot drift apart on the provider's exact key set. The schemas encode the
/// provider's wire (spec-facts §11.2–§11.4, §11.7), so only the <c>acs</c> profile applies them.
/// </summary>
internal static class SchemaChecks
{
    private static readonly ConcurrentDictionary<string, Lazy<Task<JsonSchema>>> Schemas = new(StringComparer.Ordinal);

    public static IEnumerable<CheckDefinition> All()
    {
        yield return new("schema.completion", "Every non-streamed completion validates against schemas/completion.schema.json", "schemas/completion.schema.json; spec-facts §2.1, §11.3", Completions, Aggregate: true, Prepare: Probes.Greedy);
        yield return new("schema.chunk", "Every streamed chunk validates against schemas/completion-chunk.schema.json", "schemas/completion-chunk.schema.json; spec-facts §4.2, §11.4", Chunks, Aggregate: true, Prepare: Probes.StreamWithUsage);
        yield return new("schema.error", "Every error body validates against schemas/error.schema.json", "schemas/error.schema.json; spec-facts §6.1, §11.2", Errors, Aggregate: true, Prepare: ErrorChecks.ErrorProbes);
        yield return new("schema.models", "GET /v1/models validates against schemas/model-list.schema.json", "schemas/model-list.schema.json; spec-facts §7, §11.7", Models);
    }

    private static async Task<Outcome> Completions(CheckContext ctx)
    {
        var greedy = await Probes.Greedy(ctx); // at least one answer to judge, even when this check runs alone (sent by Prepare)
        var answers = ctx.Client.Log.Where(e => e.Spec.Path == "completions" && !e.Spec.Stream && e.Status == 200 && e.Failure == TransportFailure.None).ToList();
        if (answers.Count == 0)
        {
            return CompletionChecks.Success(greedy).Problem
                ?? Outcome.Fail("nothing to judge: no non-streamed completion was answered with 200", greedy, "a completion", "none");
        }

        return await EveryBodyValid(answers, "completion.schema.json", _ => "a completion breaks the schema", $"{answers.Count} completions");
    }

    private static async Task<Outcome> Chunks(CheckContext ctx)
    {
        var own = await Probes.StreamWithUsage(ctx);
        // Completions streams only: chat chunks have their own schema (chat.schema.chunk).
        var streams = ctx.Client.Log.Where(e => e.Spec.Path == "completions" && e.Spec.Stream && e.Status == 200 && e.Sse is not null).ToList();
        if (streams.Count == 0)
        {
            return StreamView.From(own).Problem
                ?? Outcome.Fail("nothing to judge: no stream was answered with 200", own, "an event stream", "none");
        }

        var schema = await Load("completion-chunk.schema.json");
        var checkedChunks = 0;
        foreach (var ex in streams)
        {
            foreach (var ev in ex.Sse!.Events.Where(e => e.Data != "[DONE]"))
            {
                checkedChunks++;
                if (FirstError(schema, ev.Data) is { } error)
                {
                    return Outcome.Fail($"event #{ev.Index} breaks the chunk schema at {error}", ex, "every chunk valid against schemas/completion-chunk.schema.json", error,
                        $"event #{ev.Index}:\n{Exchange.Excerpt(ev.Raw, 800)}");
                }
            }
        }

        return checkedChunks > 0
            ? Outcome.Pass($"{checkedChunks} chunks in {streams.Count} streams")
            : Outcome.Fail($"nothing to judge: {streams.Count} streams carried no chunk", own, "chunks to validate", "no data event before [DONE]", Exchange.Excerpt(own.BodyText, 400));
    }

    private static async Task<Outcome> Errors(CheckContext ctx)
    {
        // Errors to judge even when this check runs alone (sent by Prepare).
        var own = await ErrorChecks.ErrorProbes(ctx);
        var errors = ctx.Client.Log.Where(e => e.Status is >= 400 && e.Failure == TransportFailure.None && !CheckContext.IsUnservedChatRoute(e)).ToList();
        if (errors.Count == 0)
        {
            return own.FirstOrDefault(e => e.Unanswered) is { } failed
                ? Outcome.FromTransport(failed)
                : ErrorChecks.NoErrorToJudge(ctx);
        }

        return await EveryBodyValid(errors, "error.schema.json", ex => $"an HTTP {ex.Status} body breaks the error schema", $"{errors.Count} error bodies");
    }

    /// <summary>Validates every exchange's body against one schema; the first invalid body fails the check.</summary>
    private static async Task<Outcome> EveryBodyValid(IReadOnlyList<Exchange> exchanges, string schemaName, Func<Exchange, string> what, string passed)
    {
        var schema = await Load(schemaName);
        foreach (var ex in exchanges)
        {
            if (FirstError(schema, ex.BodyText) is { } error)
            {
                return Outcome.Fail($"{what(ex)} at {error}", ex, $"a body valid against schemas/{schemaName}", error);
            }
        }

        return Outcome.Pass(passed);
    }

    private static async Task<Outcome> Models(CheckContext ctx)
    {
        var ex = await Probes.Models(ctx);
        var (body, problem) = CompletionChecks.Success(ex);
        if (body is null)
        {
            return problem!;
        }

        var error = FirstError(await Load("model-list.schema.json"), ex.BodyText);
        return error is null
            ? Outcome.Pass()
            : Outcome.Fail($"the model list breaks the schema at {error}", ex, "a body valid against schemas/model-list.schema.json", error);
    }

    /// <summary>The first validation error as <c>$.path: kind</c>, or null when the text is valid.</summary>
    private static string? FirstError(JsonSchema schema, string json)
    {
        ICollection<ValidationError> errors;
        try
        {
            errors = schema.Validate(json);
        }
        catch (Newtonsoft.Json.JsonException ex)
        {
            return $"$: not JSON ({ex.Message})";
        }

        if (errors.Count == 0)
        {
            return null;
        }

        var first = Flatten(errors).OrderByDescending(e => (e.Path ?? "").Length).First();
        var path = string.IsNullOrEmpty(first.Path) || first.Path == "#" ? "$" : "$." + first.Path.TrimStart('#', '/').Replace('/', '.');
        return $"{path}: {first.Kind}" + (first.Property is null ? "" : $" ('{first.Property}')");
    }

    private static IEnumerable<ValidationError> Flatten(IEnumerable<ValidationError> errors) =>
        errors.SelectMany(e => e is ChildSchemaValidationError child && child.Errors.Count > 0
            ? Flatten(child.Errors.SelectMany(c => c.Value)).Append(e)
            : [e]);

    private static Task<JsonSchema> Load(string name) =>
        Schemas.GetOrAdd(name, n => new Lazy<Task<JsonSchema>>(async () =>
        {
            using var stream = typeof(SchemaChecks).Assembly.GetManifestResourceStream("schemas/" + n)
                ?? throw new InvalidOperationException($"schemas/{n} is not embedded in the build.");
            using var reader = new StreamReader(stream);
            return await JsonSchema.FromJsonAsync(await reader.ReadToEndAsync().ConfigureAwait(false)).ConfigureAwait(false);
        })).Value;
}
