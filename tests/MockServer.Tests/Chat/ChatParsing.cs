using System.Text.Json;
using MockServer.Catalog;
using MockServer.Chat;
using MockServer.Errors;
using MockServer.Hosting;
using MockServer.Tokenization;
using MockServer.Validation;

namespace MockServer.Tests.Chat;

/// <summary>
/// The chat parser over a catalog built in code: a chat model with every capability, one without tools,
/// response_format or logprobs, one with a small context, and a base model without a chat template.
/// </summary>
internal sealed class ChatParsing
{
    public const string Hello = """[{"role":"user","content":"Hello"}]""";

    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 64 };

    public ChatParsing(long maxGeneratedTokensPerRequest = 1 << 20)
    {
        Tokenizer = new Tokenizer(new Vocabulary());
        var catalog = new ModelCatalog(
        [
            Model("chat", 4096, new ModelCapabilities(Completions: true, Chat: true, Tools: true, ResponseFormat: true, Logprobs: true)),
            Model("plain-chat", 4096, new ModelCapabilities(Completions: true, Chat: true, Tools: false, ResponseFormat: false, Logprobs: false)),
            Model("small-chat", 64, new ModelCapabilities(Completions: true, Chat: true, Tools: true, ResponseFormat: true, Logprobs: true)),
            new ServedModel("base", "test/base", 4096, 0, "test", 3),
        ]);
        var options = new MockServerOptions { MaxGeneratedTokensPerRequest = maxGeneratedTokensPerRequest };
        Parser = new ChatRequestParser(catalog, Tokenizer, new RequestPolicy(options));
    }

    public Tokenizer Tokenizer { get; }

    public ChatRequestParser Parser { get; }

    /// <summary>A body for <paramref name="model"/> with <paramref name="messages"/> and any <paramref name="extra"/> members (",\"n\":2").</summary>
    public static string Body(string extra = "", string messages = Hello, string model = "chat") =>
        $$"""{"model":"{{model}}","messages":{{messages}}{{extra}}}""";

    public ChatRequest Parse(string json)
    {
        using var document = JsonDocument.Parse(json, DocumentOptions);
        return Parser.Parse(document.RootElement);
    }

    /// <summary>The error the body is refused with (fails the test when it is accepted).</summary>
    public ApiError Error(string json)
    {
        try
        {
            var accepted = Parse(json);
            throw new Xunit.Sdk.XunitException($"expected the request to be refused, but it was accepted: {accepted}");
        }
        catch (ApiErrorException ex)
        {
            return ex.Error;
        }
    }

    /// <summary>The 400 for <paramref name="json"/>, checked for its type, code and param.</summary>
    public ApiError BadRequest(string json, string code, string? param)
    {
        var error = Error(json);
        error.Status.Should().Be(400, error.Message);
        error.Type.Should().Be(ApiError.InvalidRequest);
        error.Code.Should().Be(code, error.Message);
        error.Param.Should().Be(param, error.Message);
        return error;
    }

    private static ServedModel Model(string id, int maxModelLen, ModelCapabilities capabilities) =>
        new(id, $"test/{id}", maxModelLen, 0, "test", (ulong)id.Length) { ChatTemplate = "chatml", Capabilities = capabilities };
}
