using System.Text;
using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Fixtures;

/// <summary>
/// Fixture files are JSON with comments (what editors following <c>$schema</c> allow): comments, trailing commas and a
/// byte order mark are accepted; anything else that is not JSON is refused with the file, line and position.
/// </summary>
public sealed class FixtureJsonTests : IDisposable
{
    private const string Request = """{"model":"llama-8b","prompt":"jsonc?","max_tokens":5}""";

    private readonly string _folder = Directory.CreateTempSubdirectory("mock-jsonc-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    public static TheoryData<string, string> Accepted() => new()
    {
        { "trailing commas", """{"completions":[{"match":{"prompt":"jsonc?",},"tokens":[" yes", ".",],},],}""" },
        { "line comments", "// answers the jsonc question\n{\"completions\":[ // one fixture\n{\"match\":{\"prompt\":\"jsonc?\"},\"tokens\":[\" yes\",\".\"]}]}\n// end" },
        { "block comments", "/* header\n spanning lines */ {\"completions\":[{\"match\":{\"prompt\":\"jsonc?\" /* exact */},\"tokens\":[\" yes\",\".\"]}]}" },
        { "a comment holding a comma before a bracket", "{\"completions\":[{\"match\":{\"prompt\":\"jsonc?\"},\"tokens\":[\" yes\",\".\" /* , */ ]}]}" },
        { "a byte order mark", "\uFEFF{\"completions\":[{\"match\":{\"prompt\":\"jsonc?\"},\"tokens\":[\" yes\",\".\"]}]}" },
        { "comment markers and commas inside strings", """{"completions":[{"match":{"prompt":"jsonc?"},"tokens":[" yes", "."]}], "models":[{"id":"a//b,]","root":"r/*x*/,}"}]}""" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task Json_with_comments_trailing_commas_or_a_bom_is_served_from_a_file(string label, string text)
    {
        // The BOM case is written as UTF-8 bytes with a preamble, as an editor saves it; the reader must not choke on it.
        await File.WriteAllTextAsync(Path.Combine(_folder, "jsonc.json"), text.TrimStart('\uFEFF'), new UTF8Encoding(encoderShouldEmitUTF8Identifier: text.StartsWith('\uFEFF')));

        await using var mock = await MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });
        using var client = Api.ClientFor(mock);
        var (status, body, json) = await client.CompleteAsync(Request);

        status.Should().Be(200, body);
        json.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" yes.", label);
    }

    [Theory]
    [MemberData(nameof(Accepted))]
    public async Task Json_with_comments_trailing_commas_or_a_bom_is_served_from_code(string label, string text)
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(new FixtureDocument("jsonc.json", text));

        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);
        var (_, _, json) = await client.CompleteAsync(Request);

        json.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" yes.", label);
    }

    [Fact]
    public async Task Schema_errors_in_a_commented_file_point_at_the_line_and_position_in_the_file()
    {
        // Comments are blanked, not removed, so the validator's positions are the editor's.
        const string Text = "// models served by this file\n/* none\n   yet */\n{\"completions\":[\n  {\"match\":{\"prompt\":\"a\"}, \"tokenz\":[\"a\"],},\n]}";
        await File.WriteAllTextAsync(Path.Combine(_folder, "commented.json"), Text);

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });

        var message = (await start.Should().ThrowAsync<FixtureLoadException>()).Which.Message;
        message.Should().Contain("commented.json").And.Contain("at $.completions[0]").And.EndWith("(line 5, position 3).");
    }

    [Theory]
    [InlineData("", "is empty", 1, 1)]
    [InlineData(" \n\t", "is empty", 1, 1)]
    [InlineData("\uFEFF", "is empty", 1, 1)]
    [InlineData("{\"completions\":[{\"match\":{\"prompt\":\"a\"},\n\"tokens\":[\"a\"", "is not valid JSON", 2, 14)]
    [InlineData("{\"models\":[]}}", "is not valid JSON", 1, 14)]
    [InlineData("{\n  \"models\": [,]\n}", "is not valid JSON", 2, 14)]
    [InlineData("{\"models\":[]} // ok\n/* never closed", "is not valid JSON", 2, 1)]
    [InlineData("{\"completions\":[{\"match\":{\"prompt\":\"é😀\"}, \"tokens\":[\"a\"] x}]}", "is not valid JSON", 1, 59)]
    public async Task Text_that_is_not_json_stops_start_up_with_the_file_line_and_position(string text, string expected, int line, int position)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "broken.json"), text);

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });

        var message = (await start.Should().ThrowAsync<FixtureLoadException>()).Which.Message;
        message.Should().StartWith("Fixture 'broken.json' ").And.Contain(expected).And.Contain($"line {line}, position {position}");
        message.Should().NotContain("\n", "one line").And.NotContain("LineNumber", "the parser's zero-based position is replaced by the editor's");
    }

    [Theory]
    [InlineData("""{"completions":[{"match":{"prompt":"\ud800"},"tokens":["a"]}]}""", "$.completions[0].match.prompt")]
    [InlineData("""{"completions":[{"match":{"prompt":"a"},"tokens":[{"text":"a","top_logprobs":{"\udc00":-1}}]}]}""", "$.completions[0].tokens[0].top_logprobs")]
    public async Task An_escaped_lone_surrogate_is_named_by_its_path(string text, string path)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "surrogate.json"), text);

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });

        (await start.Should().ThrowAsync<FixtureLoadException>()).Which.Message.Should().Contain("surrogate.json").And.Contain($"at {path}:").And.Contain("not valid Unicode");
    }

    [Fact]
    public async Task A_model_number_beyond_what_the_server_holds_names_the_file_and_path()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "huge.json"), """{"models":[{"id":"m","root":"r","max_model_len":99999999999}]}""");

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });

        (await start.Should().ThrowAsync<FixtureLoadException>()).Which.Message.Should().Contain("huge.json").And.Contain("$.models[0].max_model_len");
    }
}
