using System.ClientModel;
using MockServer.Fixtures;
using MockServer.Hosting;
using OpenAI;
using OpenAI.Chat;

namespace MockServer.WireMock.Tests;

/// <summary>The official OpenAI .NET SDK, unmodified, streams chat from a WireMock server the mock is attached to.</summary>
public sealed class OpenAiSdkTests
{
    [Fact]
    public async Task The_SDK_streams_the_mocks_content_in_several_updates_through_WireMock()
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(FixtureDocument.Chat("Count to five.", [" one", " two", " three", " four", " five"]));
        await using var env = await WireMockWithMock.StartAsync(options);
        var chat = new ChatClient("llama-8b-instruct", new ApiKeyCredential("unused"), new OpenAIClientOptions { Endpoint = env.Mock.BaseUrl });

        var texts = new List<string>();
        ChatFinishReason? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Count to five.")]))
        {
            texts.AddRange(update.ContentUpdate.Select(part => part.Text).Where(text => text.Length > 0));
            finish = update.FinishReason ?? finish;
        }

        texts.Should().Equal(" one", " two", " three", " four", " five"); // one update per streamed token, as the mock sends them
        finish.Should().Be(ChatFinishReason.Stop);
    }
}
