using MockServer.Admin;
using MockServer.Endpoints;
using MockServer.Errors;
using MockServer.Hosting;
using MockServer.Http;

namespace Microsoft.AspNetCore.Builder;

/// <summary>Maps the OpenAI-compatible routes (STYLE.md §2.6).</summary>
internal static class MockServerEndpointRouteBuilderExtensions
{
    public static WebApplication MapOpenAiEndpoints(this WebApplication app)
    {
        // Outside the journal: a request leaves the registry only once its entry and its key's charge have landed (ResetAsync).
        app.UseMiddleware<RequestsInFlightMiddleware>();
        app.UseMiddleware<MockServer.Journal.JournalMiddleware>(); // outermost but one: it sees every answer, error pages included
        app.UseMiddleware<ErrorBoundaryMiddleware>();

        // Routing's bare 404/405 answers get the envelope too, so a client never has to parse an empty body.
        app.UseStatusCodePages(async status =>
        {
            var http = status.HttpContext;
            var error = http.Response.StatusCode == 405
                ? ApiError.MethodNotAllowed(http.Request.Method, http.Request.Path)
                : http.Response.StatusCode == 404 ? MockServer.Admin.AdminRoutes.Owns(http) ? MockServer.Admin.AdminRoutes.NotFound(http.Request.Path) : ApiError.NotFound(http.Request.Path)
                : ApiError.BadHttpRequest(http.Response.StatusCode);
            await ErrorWriter.WriteAsync(http, error).ConfigureAwait(false);
        });
        // Without keys the check lets everything through: then it is not in the pipeline at all.
        if (app.Services.GetRequiredService<MockServer.Budgets.KeyAccounts>().Accounts.Count > 0)
        {
            app.UseMiddleware<ApiKeyMiddleware>();
        }

        MockServer.Recording.RecordReplaySetup.UseRecordReplay(app); // replay and record mode answer before the endpoints, when on

        var completions = app.Services.GetRequiredService<CompletionsEndpoint>();
        var chat = app.Services.GetRequiredService<ChatCompletionsEndpoint>();
        var models = app.Services.GetRequiredService<ModelsEndpoint>();
        app.MapPost("/v1/completions", completions.HandleAsync);
        app.MapPost("/v1/chat/completions", chat.HandleAsync);
        app.MapGet("/v1/models", models.HandleAsync);
        // Catch-all: a fixture may serve an id with a slash (org/model), which clients send raw or as %2F.
        app.MapGet("/v1/models/{**id}", models.RetrieveAsync);
        app.MapAdmin();
        MockServer.Workbench.WorkbenchRoutes.MapWorkbench(app);
        app.MapGet("/health", static context =>
        {
            context.Response.StatusCode = 200;
            return Task.CompletedTask;
        });
        return app;
    }
}
