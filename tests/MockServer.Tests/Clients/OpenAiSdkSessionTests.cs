using System.ClientModel;
using System.ClientModel.Primitives;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Journal;
using OpenAI;
using OpenAI.Chat;

namespace MockServer.Tests.Clients;

/// <summary>
/// The official OpenAI .NET SDK, sending <c>X-Mock-Session</c> through a policy in its pipeline (how a .NET team scopes
/// its tests on a shared mock): each session's client is answered by its own run-time fixture for the same question.
/// </summary>
public sealed class OpenAiSdkSessionTests
{
    private const string ChatModel = "llama-8b-instruct";

    [Fact]
    public async Task Each_sessions_sdk_client_gets_its_own_fixture_for_the_same_question()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { StrictFixtures = true });
        server.Fixtures.Add(FixtureDocument.Chat("Which session is this?", ["This", " is", " alpha"], ChatModel), "alpha");
        server.Fixtures.Add(FixtureDocument.Chat("Which session is this?", ["This", " is", " beta"], ChatModel), "beta");

        ChatCompletion alpha = await Chat(server, "alpha").CompleteChatAsync([new UserChatMessage("Which session is this?")]);
        ChatCompletion beta = await Chat(server, "beta").CompleteChatAsync([new UserChatMessage("Which session is this?")]);
        var streamed = new List<string>();
        await foreach (var update in Chat(server, "alpha").CompleteChatStreamingAsync([new UserChatMessage("Which session is this?")]))
        {
            streamed.AddRange(update.ContentUpdate.Select(p => p.Text));
        }

        var outsider = () => Chat(server, "gamma").CompleteChatAsync([new UserChatMessage("Which session is this?")]);

        alpha.Content.Single().Text.Should().Be("This is alpha");
        beta.Content.Single().Text.Should().Be("This is beta");
        string.Concat(streamed).Should().Be("This is alpha");
        (await outsider.Should().ThrowAsync<ClientResultException>()).Which.Status.Should().Be(404, "a session without fixtures of its own sees neither");
        var entries = await server.Journal.WaitForAsync(2, new JournalFilter(Session: "alpha")).WaitAsync(TimeSpan.FromSeconds(30)); // a hang guard only
        entries.Should().OnlyContain(e => e.AnsweredBy == "fixture" && e.Session == "alpha");
    }

    private static ChatClient Chat(MockLlmServer server, string session)
    {
        var options = new OpenAIClientOptions { Endpoint = server.BaseUrl };
        options.AddPolicy(new SessionPolicy(session), PipelinePosition.PerCall);
        return new ChatClient(ChatModel, new ApiKeyCredential("unused"), options);
    }

    /// <summary>Sets <c>X-Mock-Session</c> on every request the client sends.</summary>
    private sealed class SessionPolicy(string session) : PipelinePolicy
    {
        public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(RequestJournal.SessionHeader, session);
            ProcessNext(message, pipeline, currentIndex);
        }

        public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
        {
            message.Request.Headers.Set(RequestJournal.SessionHeader, session);
            return ProcessNextAsync(message, pipeline, currentIndex);
        }
    }
}
