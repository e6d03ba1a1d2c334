using Conformance.Checks;
using Conformance.Tests.Fakes;

namespace Conformance.Tests.Checks;

/// <summary>Runs the chat response checks against a standalone <see cref="FakeChatServer"/>.</summary>
internal static class ChatSuite
{
    /// <summary>Gets the ids of the chat response, stream and logprobs checks (not the chat validation checks, proved elsewhere).</summary>
    public static IReadOnlyList<string> Ids { get; } =
        [.. ChatResponseChecks.All().Concat(ChatStreamChecks.All()).Concat(ChatLogprobsChecks.All()).Select(c => c.Id)];

    /// <summary>Every category except chat: skipped so a chat-only server is judged on chat alone, without --only.</summary>
    public static readonly string[] OtherCategories = [.. Catalogue.All.Select(c => c.Category).Where(c => c != "chat").Distinct()];

    public static async Task<ConformanceReport> RunAsync(FakeChatOptions fake, Action<ConformanceOptions>? configure = null, params string[] only)
    {
        await using var server = await FakeChatServer.StartAsync(fake);
        var options = Suite.Options(server.BaseUrl, only);
        configure?.Invoke(options);
        return await ConformanceRunner.RunAsync(options);
    }
}
