using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Time.Testing;
using MockServer.Budgets;
using MockServer.Catalog;
using MockServer.Chat;
using MockServer.Dialects;
using MockServer.Endpoints;
using MockServer.Fixtures;
using MockServer.Generation;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;
using MockServer.Tokenization;
using MockServer.Validation;

namespace MockServer.Tests.Chat;

/// <summary>
/// Runs <see cref="ChatResponder"/> on hand-built, already valid <see cref="ChatRequest"/>s (the parser is another
/// piece of work) and returns the bytes it wrote. A fresh responder per call: ids and created are then equal for
/// equal requests, so same-seed answers can be compared byte for byte.
/// </summary>
internal static class ChatResponseHarness
{
    public static readonly Tokenizer Tokenizer = new(new Vocabulary());

    /// <summary>vLLM's WithLastContent finish and llama.cpp's null role content: not served by default, but data the writer must honour.</summary>
    public static readonly Dialect Combined = Dialects.Dialects.OpenAi with
    {
        Name = "test-combined",
        RoleContent = RoleChunkContent.Null,
        Finish = FinishPlacement.WithLastContent,
        Usage = UsagePlacement.FinalChunkAlways,
        UsageNullWhenIncluded = false,
    };

    public static ServedModel Model(Dialect dialect) =>
        new ServedModel("test-chat", "org/Test-Chat-Instruct", 8192, 1_700_000_000, "mock", SyntheticModel.KeyOf("test-chat"))
        {
            ChatTemplate = "chatml",
            Dialect = dialect,
            Capabilities = new ModelCapabilities(Completions: false, Chat: true, Tools: true, ResponseFormat: true, Logprobs: true),
        };

    public static ChatRequest Request(Dialect dialect, string user = "Tell me about the sea.", int maxTokens = 24, long? seed = 7, IReadOnlyList<ChatMessage>? messages = null)
    {
        messages ??= [new ChatMessage("user", user)];
        var prompt = ChatTemplates.Render("chatml", messages, []);
        return new ChatRequest
        {
            Model = Model(dialect),
            Messages = messages,
            Prompt = new PromptInput(prompt, Tokenizer.TokenizePrompt(prompt)),
            MaxTokens = maxTokens,
            Seed = seed,
            Sampling = new SamplingParameters(),
        };
    }

    public static ToolDefinition Tool(string name, string parametersJson) =>
        new(name, "a test function", JsonDocument.Parse(parametersJson).RootElement.Clone());

    public static async Task<(int Status, string ContentType, string Body)> RespondAsync(ChatRequest request, IReadOnlyList<ChatFixture>? chats = null)
    {
        var vocabulary = Tokenizer.Vocabulary;
        var options = new MockServerOptions { TimeProvider = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(1_741_000_000)) };
        var responder = new ChatResponder(
            new CompletionEngine(new SyntheticModel(vocabulary)),
            Tokenizer,
            new RequestIds(42),
            options);
        var context = new DefaultHttpContext();
        using var body = new MemoryStream();
        context.Response.Body = body;
        var fixture = new FixtureSet([], [], chats).MatchChat(request.Model.Id, request.Messages, f => ChatScriptPlan.Usable(request, f));
        if (await responder.PlanAsync(context, request, fixture, CancellationToken.None) is { } plan)
        {
            await responder.RespondAsync(context, request, plan, new Admitted(StreamTiming.None, UsageCharge.None), new SentTokens(), CancellationToken.None);
        }

        await context.Response.BodyWriter.FlushAsync();
        var answer = (context.Response.StatusCode, context.Response.ContentType ?? "", Encoding.UTF8.GetString(body.ToArray()));
        Schemas.ShouldBeValidChatAnswer(answer.StatusCode, answer.Item2, answer.Item3);
        return answer;
    }

    public static async Task<JsonElement> CompleteAsync(ChatRequest request)
    {
        var (status, type, body) = await RespondAsync(request with { Stream = false });
        status.Should().Be(200, body);
        type.Should().Be("application/json");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    public static async Task<SseTranscript> StreamAsync(ChatRequest request)
    {
        var (status, type, body) = await RespondAsync(request with { Stream = true });
        status.Should().Be(200, body);
        type.Should().Be("text/event-stream; charset=utf-8");
        return SseTranscript.Parse(body);
    }

    /// <summary>The chunks' choice objects of one choice, in order.</summary>
    public static List<JsonElement> ChoiceChunks(this SseTranscript transcript, int index = 0) =>
        [.. transcript.Chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray()).Where(c => c.GetProperty("index").GetInt32() == index)];

    public static string StreamedContent(this SseTranscript transcript, int index = 0) => string.Concat(
        transcript.ChoiceChunks(index)
            .Select(c => c.GetProperty("delta"))
            .Where(d => d.TryGetProperty("content", out var content) && content.ValueKind == JsonValueKind.String)
            .Select(d => d.GetProperty("content").GetString()));

    public static int[] Utf8(string text) => [.. Encoding.UTF8.GetBytes(text).Select(b => (int)b)];
}
