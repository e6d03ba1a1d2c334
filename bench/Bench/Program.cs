using Bench;

// The bare baseline of bench/run.sh: Kestrel, one route, no middleware, logging off. It does what a minimal honest
// server must do per request (read and parse the JSON body, build the response objects, serialize them) and
// nothing the mock does beyond that (no validation, no generation, no error envelopes).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);

var app = builder.Build();
var table = TokenTable.LoadEmbedded();
var handler = new CompletionHandler(table, TimeProvider.System);
var chat = new ChatHandler(table, TimeProvider.System);
app.MapPost("/v1/completions", handler.HandleAsync);
app.MapPost("/v1/chat/completions", chat.HandleAsync);
app.MapGet("/health", static context =>
{
    context.Response.StatusCode = 200;
    return Task.CompletedTask;
});
await app.RunAsync().ConfigureAwait(false);
