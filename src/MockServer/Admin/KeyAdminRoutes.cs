using System.Buffers;
using System.Collections.Frozen;
using System.Text.Json;
using MockServer.Budgets;
using MockServer.Catalog;
using MockServer.Endpoints;
using MockServer.Errors;
using MockServer.Hosting;
using MockServer.Http;
using MockServer.Validation;

namespace MockServer.Admin;

/// <summary>
/// <c>/admin/keys</c>: each <c>/v1</c> key's usage and limits, by name (the key itself never appears), and changing
/// them while the server runs. <c>GET /admin/keys</c>, <c>GET /admin/keys/{name}</c>,
/// <c>POST /admin/keys/{name}/reset</c>, and <c>PATCH /admin/keys/{name}</c> with
/// <c>{"token_budget": N, "rpm": N, "tpm": N}</c> (a field left out stays, null removes the limit). Every answer is
/// the key's usage, or the OpenAI error envelope.
/// </summary>
internal static partial class KeyAdminRoutes
{
    // The largest integer every JSON reader holds exactly (2^53 - 1), as in schemas/keys.schema.json.
    private const long MaxLimit = 9_007_199_254_740_991;

    private static readonly FrozenSet<string> Fields = FrozenSet.ToFrozenSet(["token_budget", "rpm", "tpm"], StringComparer.Ordinal);

    public static void Map(RouteGroupBuilder group)
    {
        group.MapGet("/keys", ListAsync);
        group.MapGet("/keys/{name}", GetAsync);
        group.MapPost("/keys/{name}/reset", ResetAsync);
        group.MapPatch("/keys/{name}", PatchAsync);
    }

    private static Task ListAsync(HttpContext context)
    {
        var keys = context.RequestServices.GetRequiredService<KeyAccounts>();
        return AdminJson.WriteAsync(context, w =>
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (var usage in keys.All)
            {
                Write(w, usage);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private static Task GetAsync(HttpContext context, string name) =>
        Find(context, name) is { } account ? WriteAsync(context, account.Usage()) : NotFoundAsync(context, name);

    private static Task ResetAsync(HttpContext context, string name)
    {
        if (Find(context, name) is not { } account)
        {
            return NotFoundAsync(context, name);
        }

        var usage = account.Reset();
        var logger = Logger(context);
        LogReset(logger, name);
        return WriteAsync(context, usage);
    }

    private static async Task PatchAsync(HttpContext context, string name)
    {
        if (Find(context, name) is not { } account)
        {
            await NotFoundAsync(context, name).ConfigureAwait(false);
            return;
        }

        var options = context.RequestServices.GetRequiredService<MockServerOptions>();
        var change = await JsonRequestPipeline.ReadAsync(context, context.RequestServices.GetRequiredService<ModelCatalog>(), options.MaxRequestBodyBytes, (root, _) => ParseChange(root)).ConfigureAwait(false);
        if (change is null)
        {
            return;
        }

        var usage = account.ChangeLimits(change);
        var logger = Logger(context);
        LogChanged(logger, name, usage.Limits.TokenBudget, usage.Limits.RequestsPerMinute, usage.Limits.TokensPerMinute);
        await WriteAsync(context, usage).ConfigureAwait(false);
    }

    /// <summary>The fields a PATCH names, strictly read (unknown or repeated names, wrong types and ranges are 400s).</summary>
    private static Func<KeyLimits, KeyLimits> ParseChange(JsonElement root)
    {
        StrictJson.CheckTopLevel(root, Fields);
        var budget = Read(root, "token_budget", 0);
        var rpm = Read(root, "rpm", 1);
        var tpm = Read(root, "tpm", 1);
        return limits => new KeyLimits(
            budget.Given ? budget.Value : limits.TokenBudget,
            rpm.Given ? rpm.Value : limits.RequestsPerMinute,
            tpm.Given ? tpm.Value : limits.TokensPerMinute);
    }

    private static (bool Given, long? Value) Read(JsonElement root, string name, long min) =>
        root.TryGetProperty(name, out var v) ? (true, StrictJson.ReadInteger(name, v, min, MaxLimit)) : (false, null);

    private static KeyAccount? Find(HttpContext context, string name) =>
        context.RequestServices.GetRequiredService<KeyAccounts>().TryFind(name, out var account) ? account : null;

    private static Task NotFoundAsync(HttpContext context, string name)
    {
        var names = context.RequestServices.GetRequiredService<KeyAccounts>().Accounts.Select(a => a.Name).ToList();
        var known = names.Count == 0 ? "No key is configured." : $"Keys: {string.Join(", ", names)}.";
        return ErrorWriter.WriteAsync(context, new ApiError(404, $"No key is named '{name}'. {known}", ApiError.InvalidRequest, "name", "key_not_found"));
    }

    private static Task WriteAsync(HttpContext context, KeyUsage usage) => AdminJson.WriteAsync(context, w => Write(w, usage));

    /// <summary>A key's usage on the wire: its name, never the key; every limit, null when there is none.</summary>
    private static void Write(Utf8JsonWriter w, KeyUsage usage)
    {
        w.WriteStartObject();
        w.WriteString("object", "key.usage");
        w.WriteString("name", usage.Name);
        w.WriteNumber("requests", usage.Requests);
        w.WriteNumber("prompt_tokens", usage.PromptTokens);
        w.WriteNumber("completion_tokens", usage.CompletionTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WriteNumber("reserved_tokens", usage.ReservedTokens);
        Number(w, "token_budget", usage.Limits.TokenBudget);
        Number(w, "remaining_budget", usage.RemainingBudget);
        Number(w, "rpm", usage.Limits.RequestsPerMinute);
        Number(w, "tpm", usage.Limits.TokensPerMinute);
        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static ILogger Logger(HttpContext context) => context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger("MockServer.Admin");

    [LoggerMessage(EventId = LogEvents.KeyChanged, Level = LogLevel.Information, Message = "Key {Key}: usage reset by the admin route")]
    private static partial void LogReset(ILogger logger, string key);

    [LoggerMessage(EventId = LogEvents.KeyChanged, Level = LogLevel.Information, Message = "Key {Key}: limits set by the admin route: token_budget {Budget}, rpm {Rpm}, tpm {Tpm}")]
    private static partial void LogChanged(ILogger logger, string key, long? budget, long? rpm, long? tpm);
}
