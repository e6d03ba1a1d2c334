using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using MockServer.Chat;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Chat;

/// <summary>
/// Chat is an adapter over the same generation core as completions: a conversation answers exactly what
/// <c>/v1/completions</c> answers for its rendered template text under the same sampling controls, so every control
/// (seed, temperature, top_k, top_p, min_p, the penalties, logit_bias, stop, max_tokens) is honoured alike, and
/// <c>prompt_tokens</c> counts the template's tokens.
/// </summary>
public sealed class ChatSharedCoreTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    private const string Model = "llama-8b-instruct";

    public static TheoryData<string> Controls => new()
    {
        """ "temperature": 0, "max_tokens": 12 """,
        """ "temperature": 0.7, "top_k": 5, "seed": 3, "max_tokens": 20 """,
        """ "top_p": 0.5, "min_p": 0.1, "seed": 4, "max_tokens": 20 """,
        """ "presence_penalty": 1.5, "frequency_penalty": 1.0, "repetition_penalty": 1.3, "seed": 5, "max_tokens": 24 """,
        """ "logit_bias": {"0": -100, "1": -100}, "seed": 6, "max_tokens": 16 """,
        """ "stop": [" the", "."], "seed": 7, "max_tokens": 40 """,
        """ "n": 2, "seed": 8, "temperature": 1.2, "max_tokens": 8 """,
    };

    [Theory]
    [MemberData(nameof(Controls))]
    public async Task A_conversation_answers_what_completions_answers_for_its_rendered_prompt(string controls)
    {
        var messages = new List<ChatMessage> { new("system", "Be brief."), new("user", "Tell me about the sea.") };
        var prompt = ChatTemplates.Render(ChatTemplates.Llama3, messages, []);

        var chat = await PostAsync("chat/completions", $$"""{"model":"{{Model}}","messages":[{"role":"system","content":"Be brief."},{"role":"user","content":"Tell me about the sea."}],{{controls}}}""");
        var completion = await PostAsync("completions", $$"""{"model":"{{Model}}","prompt":{{JsonValue.Create(prompt).ToJsonString()}},{{controls}}}""");

        chat["usage"]!.ToJsonString().Should().Be(completion["usage"]!.ToJsonString());
        var chatChoices = chat["choices"]!.AsArray();
        var textChoices = completion["choices"]!.AsArray();
        chatChoices.Should().HaveCount(textChoices.Count);
        for (var i = 0; i < chatChoices.Count; i++)
        {
            ((string?)chatChoices[i]!["message"]!["content"]).Should().Be((string?)textChoices[i]!["text"]);
            ((string?)chatChoices[i]!["finish_reason"]).Should().Be((string?)textChoices[i]!["finish_reason"]);
        }

        ((string?)chatChoices[0]!["message"]!["content"]).Should().NotBeEmpty("the comparison must have something to compare");
    }

    private async Task<JsonNode> PostAsync(string path, string body)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync(path, content);
        var text = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, text);
        return JsonNode.Parse(text)!;
    }
}
