using MockServer.Catalog;
using MockServer.Fixtures;

namespace MockServer.Tests.Fixtures;

/// <summary>The chat parts of fixture files: model fields and chat fixtures, refused with the file, line and path.</summary>
public sealed class ChatFixtureLoadingTests
{
    private const string ChatModel = """{"models":[{"id":"chat","root":"r","chat_template":"chatml"}]}""";

    [Fact]
    public async Task Model_fields_map_to_the_served_model_with_their_defaults()
    {
        var set = await FixtureLoader.LoadAsync(false, null,
        [
            new FixtureDocument("m.json", """
                {"models":[
                  {"id":"base","root":"r"},
                  {"id":"chat","root":"r","chat_template":"llama3","dialect":"llmbase"},
                  {"id":"narrow","root":"r","chat_template":"chatml","dialect":"openai","capabilities":{"tools":false,"logprobs":false,"completions":false}}]}
                """),
        ]);
        var catalog = new ModelCatalog(set.Models, 0);

        var basic = catalog.Find("base")!;
        basic.ChatTemplate.Should().BeNull();
        basic.Dialect.Name.Should().Be("acs");
        basic.Capabilities.Should().Be(new ModelCapabilities(Completions: true, Chat: false, Tools: false, ResponseFormat: false, Logprobs: true));

        var chat = catalog.Find("chat")!;
        chat.ChatTemplate.Should().Be("llama3");
        chat.Dialect.Name.Should().Be("llmbase");
        chat.Capabilities.Should().Be(new ModelCapabilities(Completions: true, Chat: true, Tools: true, ResponseFormat: true, Logprobs: true));

        catalog.Find("narrow")!.Capabilities.Should().Be(new ModelCapabilities(Completions: false, Chat: true, Tools: false, ResponseFormat: true, Logprobs: false));
    }

    [Fact]
    public async Task Default_models_serve_the_two_chat_dialects_and_keep_the_base_models_base()
    {
        var set = await FixtureLoader.LoadAsync(true, null, []);
        var catalog = new ModelCatalog(set.Models, 0);

        catalog.Models.Where(m => m.ChatTemplate is null).Select(m => m.Id).Should().BeEquivalentTo("llama-1b", "llama-8b", "llama-70b");
        catalog.Find("deepseek/deepseek-v4-flash")!.Should().Match<ServedModel>(m => m.ChatTemplate == "deepseek" && m.Dialect.Name == "llmbase");
        var instruct = catalog.Find("llama-8b-instruct")!;
        instruct.Should().Match<ServedModel>(m => m.ChatTemplate == "llama3" && m.Dialect.Name == "openai" && m.Root == "meta-llama/Llama-3.1-8B-Instruct");
    }

    [Theory]
    // Schema errors: the validator gives the path and the line.
    [InlineData("""{"models":[{"id":"m","root":"r",\n"dialect":"openia"}]}""", "$.models[0].dialect", "line 2")]
    [InlineData("""{"models":[{"id":"m","root":"r",\n"chat_template":"llama2"}]}""", "$.models[0].chat_template", "line 2")]
    [InlineData("""{"models":[{"id":"m","root":"r","capabilities":{\n"vision":true}}]}""", "$.models[0].capabilities", "'vision' is not allowed")]
    [InlineData("""{"chat":[{"match":{"user":"a","user_prefix":"b"},"tokens":["x"]}]}""", "$.chat[0].match", "line 1")]
    [InlineData("""{"chat":[{"match":{},"tokens":["x"],\n"tool_calls":[{"name":"f","arguments":{}}]}]}""", "$.chat[0]", "line 1")]
    [InlineData("""{"chat":[{"match":{}}]}""", "$.chat[0]", "exactly one of tokens, tool_calls")]
    [InlineData("""{"chat":[{"match":{"turn":0},"tokens":["x"]}]}""", "$.chat[0].match.turn", "line 1")]
    [InlineData("""{"chat":[{"match":{},"tool_calls":[{"name":"f","arguments":[1]}]}]}""", "$.chat[0].tool_calls[0].arguments", "line 1")]
    [InlineData("""{"chat":[{"match":{"usr":"a"},"tokens":["x"]}]}""", "$.chat[0].match", "'usr' is not allowed")]
    // Loader errors: the same form, placed by the path.
    [InlineData("""{"models":[{"id":"m","root":"r",\n"capabilities":{"chat":true}}]}""", "$.models[0].capabilities.chat", "line 2, position 27")]
    [InlineData("""{"models":[{"id":"m","root":"r","chat_template":"chatml","capabilities":{"chat":false}}]}""", "$.models[0].capabilities.chat", "has a chat_template")]
    [InlineData("""{"models":[{"id":"m","root":"r","capabilities":{"tools":true}}]}""", "$.models[0].capabilities.tools", "chat feature")]
    [InlineData("""{"chat":[{"match":{},\n  "tool_calls":[{"name":"f","arguments":"{nope"}]}]}""", "$.chat[0].tool_calls[0].arguments", "line 2")]
    [InlineData("""{"chat":[{"match":{},"tool_calls":[{"name":"f","arguments":"[1]"}]}]}""", "$.chat[0].tool_calls[0].arguments", "JSON object")]
    [InlineData("""{"chat":[{"match":{},"tool_calls":[{"name":"f","arguments":{}}],"then":"synthetic"}]}""", "$.chat[0].then", "tool_calls")]
    [InlineData("""{"chat":[{"match":{"user_regex":"(a)\\1"},"tokens":["x"]}]}""", "$.chat[0].match.user_regex", "backreferences")]
    [InlineData("""{"chat":[{"match":{"turn":3000000000},"tokens":["x"]}]}""", "$.chat[0].match.turn", "larger than")]
    [InlineData("""{"chat":[\n{"match":{"model":"nope"},"tokens":["x"]}]}""", "$.chat[0].match.model", "line 2")]
    [InlineData("""{"models":[{"id":"base","root":"r"}],"chat":[{"match":{"model":"base"},"tokens":["x"]}]}""", "$.chat[0].match.model", "no chat_template")]
    public async Task Invalid_chat_fixture_or_model_field_stops_loading_naming_file_line_and_path(string json, string path, string detail)
    {
        // "\n" in the data stands for a line break, so the line numbers can be checked.
        var text = json.Replace("\\n", "\n", StringComparison.Ordinal);
        var load = () => FixtureLoader.LoadAsync(false, null, [new FixtureDocument("models.json", ChatModel), new FixtureDocument("broken.json", text)]);

        var error = (await load.Should().ThrowAsync<FixtureLoadException>()).Which.Message;

        error.Should().StartWith("Fixture 'broken.json'").And.Contain(path).And.Contain(detail);
    }

    [Fact]
    public async Task Unknown_dialect_is_named_with_its_place_and_the_known_names()
    {
        var load = () => FixtureLoader.LoadAsync(false, null, [new FixtureDocument("broken.json", "{\"models\":[\n  {\"id\":\"m\",\"root\":\"r\",\"dialect\":\"openia\"}]}")]);

        var error = (await load.Should().ThrowAsync<FixtureLoadException>()).Which.Message;

        error.Should().Be("Fixture 'broken.json' does not match schemas/fixture.schema.json at $.models[0].dialect: 'openia' is not one of acs, llmbase, openai, vllm, llamacpp (line 2, position 41).");
    }

    [Fact]
    public void The_schema_names_the_dialects_the_code_serves()
    {
        var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", "fixture.schema.json")));
        var allowed = schema.RootElement.GetProperty("definitions").GetProperty("model").GetProperty("properties")
            .GetProperty("dialect").GetProperty("enum").EnumerateArray().Select(e => e.GetString());

        allowed.Should().BeEquivalentTo(MockServer.Dialects.Dialects.All.Select(d => d.Name));
    }
}
