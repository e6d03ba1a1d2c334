using MockServer.Budgets;
using MockServer.Hosting;

namespace MockServer.Tests.Budgets;

/// <summary>
/// Keys files (<c>--keys-file</c>, <see cref="MockServerOptions.KeysFile"/>), validated against
/// <c>schemas/keys.schema.json</c> at start: a bad file stops the start with the file, the JSON path and the line,
/// and never quotes a key.
/// </summary>
public sealed class KeysFileTests : IDisposable
{
    private const string Secret = "sk-file-secret-0005";
    private readonly string _folder = Directory.CreateTempSubdirectory("mock-keys-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(_folder, "keys.json");
        File.WriteAllText(path, json);
        return path;
    }

    private static async Task<string> StartFailsAsync(string path)
    {
        var options = new MockServerOptions { KeysFile = path };
        var thrown = await FluentActions.Awaiting(() => MockLlmServer.StartAsync(options)).Should().ThrowAsync<KeysFileException>();
        var message = thrown.Which.Message;
        message.Should().NotContain(Secret);
        return message;
    }

    [Theory]
    [InlineData("{\"keys\": [\n  {\"key\": \"SECRET\", \"name\": \"a\", \"key\": \"sk-other-0009\"}\n]}", "at $.keys[0].key: property 'key' is given twice in one object; give it once (line 2, position 47).")]
    [InlineData("{\"keys\": [{\"key\": \"sk-x-0001\"}, {\"key\": \"SECRET\", \"rpm\": 1, \"rpm\": 5}]}", "at $.keys[1].rpm: property 'rpm' is given twice in one object; give it once (line 1, position 74).")]
    [InlineData("{\"keys\": [{\"key\": \"sk-x-0001\", \"SECRET\": 1, \"SECRET\": 2}]}", "at $.keys[0]: a property is given twice in one object; give it once (line 1, position 58).")]
    [InlineData("{\"keys\": [{\"key\": \"SECRET\", \"tpm\": 99999999999999999999}]}", "at $.keys[0].tpm: 99999999999999999999 is too large; it must be at most 9223372036854775807 (line 1, position 49).")]
    public async Task A_property_given_twice_or_a_huge_integer_is_refused_by_path_and_line_without_quoting_a_key(string json, string expected)
    {
        var path = Write(json.Replace("SECRET", Secret, StringComparison.Ordinal));

        var message = await StartFailsAsync(path);

        message.Should().Be($"Keys file '{path}' {expected}");
    }

    [Fact]
    public async Task A_keys_file_with_comments_gives_keys_their_names_and_limits_and_combines_with_plain_keys()
    {
        var path = Write($$"""
            {
              // a comment, and a trailing comma below, as in fixture files
              "keys": [
                {"key": "{{Secret}}", "name": "broke", "token_budget": 0},
                {"key": "sk-file-second-0006", "rpm": 1, "tpm": 100},
              ]
            }
            """);
        await using var server = await KeyedServer.StartAsync(o =>
        {
            o.KeysFile = path;
            o.ApiKeys.Add("sk-plain-0007");
        });

        (await Answer.PostAsync(server.V1(Secret), "completions", KeyedServer.Completion())).Status.Should().Be(429, "its budget is 0");
        (await Answer.PostAsync(server.V1("sk-file-second-0006"), "completions", KeyedServer.Completion())).Status.Should().Be(200);
        (await Answer.PostAsync(server.V1("sk-file-second-0006"), "completions", KeyedServer.Completion())).Status.Should().Be(429, "its rpm is 1");
        (await Answer.PostAsync(server.V1("sk-plain-0007"), "completions", KeyedServer.Completion())).Status.Should().Be(200);
        (await Answer.PostAsync(server.V1("sk-unknown"), "completions", KeyedServer.Completion())).Status.Should().Be(401);
        server.Server.Keys.All.Select(k => (k.Name, k.Limits)).Should().Equal(
            ("broke", new KeyLimits(0, null, null)), ("key-2", new KeyLimits(null, 1, 100)), ("key-3", KeyLimits.None));
    }

    [Theory]
    [InlineData("""{"keys": [{"key": "sk-a"}, {"key": "sk-b", "rpm": 0}]}""", "at $.keys[1].rpm: 0 is too small; it must be at least 1 (line 1, position 51).")]
    [InlineData("{\"keys\": [\n  {\"key\": \"sk-a\", \"budget\": 10}\n]}", "at $.keys[0].budget: property 'budget' is not allowed; an entry has key, name, token_budget, rpm and tpm (line 2, position 27).")]
    [InlineData("{\"keys\": [\n  {\"name\": \"team\"}\n]}", "at $.keys[0]: required property 'key' is missing (line 2, position 3).")]
    [InlineData("{\"keys\": [\n  {\"key\": \"sk-a\", \"tpm\": 2.5}\n]}", "at $.keys[0].tpm: expected an integer (line 2, position 28).")]
    [InlineData("{\"keys\": [\n  {\"key\": \"sk-a\", \"name\": \"my team\"}\n]}", "at $.keys[0].name: a name holds letters, digits, '.', '_' and '-' (at most 64), starting with a letter or digit (line 2, position 35).")]
    [InlineData("{\"keys\": [\n  {\"key\": \"" + Secret + " x\"}\n]}", "at $.keys[0].key: a key cannot hold white space (line 2, position 33).")]
    [InlineData("{\"keys\": {}}", "at $.keys: expected an array of keys (line 1, position 10).")]
    public async Task A_file_that_breaks_the_schema_stops_the_start_with_file_path_and_line(string json, string expected)
    {
        var path = Write(json);

        var message = await StartFailsAsync(path);

        message.Should().Be($"Keys file '{path}' does not match schemas/keys.schema.json {expected}");
    }

    [Fact]
    public async Task The_same_key_twice_is_named_by_its_places_never_quoted()
    {
        var path = Write($"{{\"keys\": [\n  {{\"key\": \"{Secret}\"}},\n  {{\"key\": \"{Secret}\", \"name\": \"again\"}}\n]}}");

        var message = await StartFailsAsync(path);

        message.Should().Be($"Keys file '{path}' at $.keys[1].key: the same key as $.keys[0].key; give each key once (line 3, position 31).");
    }

    [Fact]
    public async Task The_same_name_twice_stops_the_start()
    {
        var path = Write("""{"keys": [{"key": "sk-a", "name": "team"}, {"key": "sk-b", "name": "team"}]}""");

        var message = await StartFailsAsync(path);

        message.Should().StartWith($"Keys file '{path}' at $.keys[1].name: the name 'team' is already used by $.keys[0]; names must be unique");
    }

    [Theory]
    [InlineData("", "is empty; a keys file holds one JSON object (line 1, position 1).")]
    [InlineData("{\"keys\": [\n  {\"key\": sk-a}]}", "is not valid JSON at line 2, position 11:")]
    public async Task A_file_that_is_not_json_stops_the_start_with_its_line(string text, string expected)
    {
        var path = Write(text);

        var message = await StartFailsAsync(path);

        message.Should().StartWith($"Keys file '{path}' {expected}");
    }

    [Fact]
    public async Task A_missing_file_stops_the_start()
    {
        var path = Path.Combine(_folder, "nope.json");

        (await StartFailsAsync(path)).Should().Be($"Keys file '{path}' does not exist.");
    }

    [Fact]
    public async Task The_admin_key_may_not_be_a_key_of_the_file()
    {
        var path = Write($$"""{"keys": [{"key": "{{Secret}}"}]}""");
        var options = new MockServerOptions { KeysFile = path, EnableAdmin = true, AdminKey = Secret };

        var thrown = await FluentActions.Awaiting(() => MockLlmServer.StartAsync(options)).Should().ThrowAsync<ArgumentException>();

        thrown.Which.Message.Should().Be("the admin key must differ from every API key.");
    }

    [Fact]
    public async Task The_README_keys_file_example_loads_and_limits()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
        {
            dir = dir.Parent;
        }

        var readme = await File.ReadAllTextAsync(Path.Combine(dir!.FullName, "README.md"));
        var section = readme[readme.IndexOf("### Keys, budgets and rate limits", StringComparison.Ordinal)..];
        var start = section.IndexOf("```json", StringComparison.Ordinal) + "```json".Length;
        var path = Write(section[start..section.IndexOf("```", start, StringComparison.Ordinal)]);
        await using var server = await KeyedServer.StartAsync(o => o.KeysFile = path);

        var answer = await Answer.PostAsync(server.V1("sk-team-a"), "completions", KeyedServer.Completion());

        answer.Status.Should().Be(200, answer.Body);
        answer.Header("x-ratelimit-limit-requests").Should().Be("60");
        answer.Header("x-ratelimit-limit-tokens").Should().Be("20000");
        server.Server.Keys.All.Select(k => (k.Name, k.Limits.TokenBudget)).Should().Equal(("team-a", 100000L), ("key-2", 5000L));
    }
}
