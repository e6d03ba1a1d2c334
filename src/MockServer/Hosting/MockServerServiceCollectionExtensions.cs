using Microsoft.Extensions.DependencyInjection.Extensions;
using MockServer.Catalog;
using MockServer.Chat;
using MockServer.Endpoints;
using MockServer.Fixtures;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Tokenization;
using MockServer.Validation;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the mock server's services (STYLE.md §2.6).</summary>
internal static class MockServerServiceCollectionExtensions
{
    public static IServiceCollection AddMockLlmServer(this IServiceCollection services, MockServerOptions options, FixtureSet fixtures)
    {
        services.TryAddSingleton(options);
        services.TryAddSingleton(options.TimeProvider);
        services.TryAddSingleton(new MockServer.Journal.RequestJournal(options.JournalCapacity));
        services.TryAddSingleton(fixtures);
        services.TryAddSingleton(new RuntimeFixtures(fixtures));
        services.TryAddSingleton<RequestsInFlight>();
        services.TryAddSingleton<Vocabulary>();
        services.TryAddSingleton<Tokenizer>();
        services.TryAddSingleton<SyntheticModel>();
        services.TryAddSingleton(sp => new ModelCatalog(fixtures.Models, options.TimeProvider.GetUtcNow().ToUnixTimeSeconds(), options.ProfileDialect));
        services.TryAddSingleton<ModelWarmth>();
        services.TryAddSingleton<MockServer.Faults.StreamEvictions>();
        services.TryAddSingleton(MockServer.Faults.FaultSchedule.None); // a behaviour file's schedule is registered before this
        services.TryAddSingleton<RequestPolicy>();
        services.TryAddSingleton<CompletionRequestParser>();
        services.TryAddSingleton<CompletionEngine>();
        services.TryAddSingleton(new RequestIds(options.Seed));
        services.TryAddSingleton<CompletionsEndpoint>();
        services.TryAddSingleton<ChatRequestParser>();
        services.TryAddSingleton<ChatResponder>();
        services.TryAddSingleton<ChatCompletionsEndpoint>();
        services.TryAddSingleton<ModelsEndpoint>();
        return services;
    }
}
