using System.ClientModel;
using MockServer.Hosting;
using MockServer.WireMock;
using OpenAI;
using OpenAI.Chat;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace MockServer.WireMock.Tests;

/// <summary>The README's WireMock.Net example, verbatim; if this changes, change the README too.</summary>
public sealed class WireMockReadmeExampleTests
{
    [Fact]
    public async Task The_team_gets_the_mocks_chat_stream_and_keeps_its_own_mapping()
    {
        var settings = new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] };
        await using var mock = await OpenAiMock.AttachAsync(settings, new MockServerOptions { Seed = 7 }); // any MockServerOptions
        using var server = WireMockServer.Start(settings);                     // declared after the mock: disposed first
        server.Given(Request.Create().WithPath("/v1/embeddings").UsingPost())  // the team's own mappings, as before
            .RespondWith(Response.Create().WithBodyAsJson(new { data = Array.Empty<object>() }));

        // mock.BaseUrl is WireMock's http://127.0.0.1:PORT/v1: give it to any OpenAI client.
        var chat = new ChatClient("llama-8b-instruct", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = mock.BaseUrl });
        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Hi")]))
        {
            updates += update.ContentUpdate.Count; // the content parts of each streamed update
        }

        Assert.True(updates > 1);                                              // a streamed answer, in several updates
        Assert.Equal("/v1/chat/completions", Assert.Single(mock.Journal.Entries()).Path); // what the client sent to the mock
    }
}
