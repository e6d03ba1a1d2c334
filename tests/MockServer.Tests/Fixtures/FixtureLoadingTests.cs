using MockServer.Fixtures;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Fixtures;

/// <summary>Fixture files: validated at start-up, matched by model and prompt, overridable.</summary>
public sealed class FixtureLoadingTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mock-fixtures-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Default_fixture_files_follow_the_schema()
    {
        var folder = Path.Combine(RepositoryRoot(), "fixtures");
        var files = Directory.GetFiles(folder, "*.json");

        files.Should().NotBeEmpty();
        foreach (var file in files)
        {
            File.ReadAllText(file).ShouldConformTo(Schemas.Fixture);
        }
    }

    [Theory]
    [InlineData("""{"completions":[{"match":{"model":"llama-8b"},"tokens":["a"]}]}""", "$.completions[0].match")]
    [InlineData("""{"completions":[{"match":{"prompt":"a"},"tokens":[{"txt":"a"}]}]}""", "$.completions[0].tokens[0]")]
    [InlineData("""{"models":[{"id":"m"}]}""", "$.models[0]")]
    [InlineData("""{"models":[],"extra":1}""", "$")]
    [InlineData("""{"completions":[{"match":{"prompt":"a","prompt_prefix":"b"},"tokens":[]}]}""", "$.completions[0].match")]
    public async Task Invalid_fixture_stops_start_up_naming_the_file_and_path(string json, string path)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "broken.json"), json);

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });

        var error = await start.Should().ThrowAsync<FixtureLoadException>();
        error.Which.Message.Should().Contain("broken.json").And.Contain(path);
    }

    [Theory]
    [InlineData("{ not json", "broken.json")]
    [InlineData("""{"completions":[{"match":{"prompt_regex":"(unclosed"},"tokens":["a"]}]}""", "prompt_regex")]
    [InlineData("""{"completions":[{"match":{"prompt_regex":"(a)\\1"},"tokens":["a"]}]}""", "backreferences")]
    [InlineData("""{"completions":[{"match":{"model":"nope","prompt":"a"},"tokens":["a"]}]}""", "'nope'")]
    [InlineData("""{"completions":[{"match":{"prompt":"a"},"tokens":[{"text":"a","logprob":-1,"top_logprobs":{"a":-2}}]}]}""", "contradicts")]
    [InlineData("""{"models":[{"id":"x","root":"r"},{"id":"x","root":"s"}]}""", "twice")]
    [InlineData("""{"completions":[{"match":{"prompt":"a"},"tokens":[{"text":"a","top_logprobs":{"a":-0.1,"b":-0.2}}]}]}""", "more than 1")]
    public async Task Semantically_invalid_fixture_is_reported(string json, string expected)
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "broken.json"), json);

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });

        (await start.Should().ThrowAsync<FixtureLoadException>()).Which.Message.Should().Contain(expected);
    }

    [Theory]
    [InlineData("{\"completions\": [{\"match\": {\"prompt\": \"a\"},\n  \"tokens\": [{\"text\": \"a\", \"logprob\": -1e400}]}]}", "$.completions[0].tokens[0].logprob")]
    [InlineData("{\"chat\": [{\"match\": {\"user\": \"a\"},\n  \"tokens\": [{\"text\": \"a\", \"top_logprobs\": {\"a\": -0.1, \"b\": -1e400}}]}]}", "$.chat[0].tokens[0].top_logprobs['b']")]
    public async Task A_logprob_that_overflows_a_double_stops_start_up_naming_file_path_and_line(string json, string path)
    {
        // Accepted, -1e400 would be -Infinity, which no response can carry as JSON: every request for logprobs would fail.
        await File.WriteAllTextAsync(Path.Combine(_folder, "broken.json"), json);

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });

        (await start.Should().ThrowAsync<FixtureLoadException>()).Which.Message
            .Should().Contain("broken.json").And.Contain(path).And.Contain("(line 2").And.Contain("not a finite number");
    }

    [Fact]
    public async Task Missing_fixture_directory_is_reported()
    {
        var start = () => MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = Path.Combine(_folder, "absent") });

        (await start.Should().ThrowAsync<FixtureLoadException>()).Which.Message.Should().Contain("absent");
    }

    [Fact]
    public async Task Directory_file_named_like_a_default_replaces_it()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "docs-examples.json"),
            """{"completions":[{"match":{"prompt":"The capital of France is"},"tokens":[" Paris"]}]}""");
        await using var mock = await MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });
        using var client = Api.ClientFor(mock);

        var (_, _, france) = await client.CompleteAsync("""{"model":"llama-8b","prompt":"The capital of France is","max_tokens":5}""");
        var (_, _, rust) = await client.CompleteAsync("""{"model":"llama-8b","prompt":"Five reasons to learn Rust:\n1.","max_tokens":1,"temperature":0}""");

        france.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" Paris");
        rust.GetProperty("choices")[0].GetProperty("text").GetString().Should().NotBe(" It", "the replaced file's other fixture is gone");
    }

    [Fact]
    public async Task Directory_adds_models_and_fixtures_beside_the_defaults()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "extra.json"), """
            {"models":[{"id":"tiny","root":"org/Tiny-1","max_model_len":64}],
             "completions":[{"match":{"model":"tiny","prompt_prefix":"Q:"},"tokens":[" A", "."]}]}
            """);
        await using var mock = await MockLlmServer.StartAsync(new MockServerOptions { FixturesDirectory = _folder });
        using var client = Api.ClientFor(mock);

        var (_, _, tiny) = await client.CompleteAsync("""{"model":"tiny","prompt":"Q: why?","max_tokens":5}""");
        var (_, _, eight) = await client.CompleteAsync("""{"model":"llama-8b","prompt":"The capital of France is","max_tokens":1}""");
        var tooLong = await client.ErrorAsync("""{"model":"tiny","prompt":"Q: why?","max_tokens":100}""");

        tiny.GetProperty("model").GetString().Should().Be("org/Tiny-1");
        tiny.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" A.");
        eight.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" a");
        tooLong.GetProperty("code").GetString().Should().Be("context_length_exceeded");
    }

    [Fact]
    public async Task Exact_beats_prefix_beats_regex_and_longer_prefix_wins()
    {
        var options = new MockServerOptions { IncludeDefaultFixtures = false };
        options.Fixtures.Add(new FixtureDocument("match.json", """
            {"models":[{"id":"m","root":"org/M"}],
             "completions":[
               {"match":{"prompt_regex":"^Hello"},"tokens":[" regex"]},
               {"match":{"prompt_prefix":"Hel"},"tokens":[" short"]},
               {"match":{"prompt_prefix":"Hello wo"},"tokens":[" long"]},
               {"match":{"prompt":"Hello world"},"tokens":[" exact"]}
             ]}
            """));
        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        async Task<string> TextFor(string prompt) =>
            (await client.CompleteAsync($$"""{"model":"m","prompt":"{{prompt}}","max_tokens":1}""")).Json.GetProperty("choices")[0].GetProperty("text").GetString()!;

        (await TextFor("Hello world")).Should().Be(" exact");
        (await TextFor("Hello world!")).Should().Be(" long");
        (await TextFor("Help")).Should().Be(" short");
        (await TextFor("Hello")).Should().Be(" short");
        new[] { " exact", " long", " short", " regex" }.Should().NotContain(await TextFor("Goodbye"));
    }

    [Fact]
    public async Task Regex_matching_stays_fast_on_a_pathological_pattern()
    {
        // A classic catastrophic-backtracking pattern: with a backtracking engine this prompt would take
        // exponential time (or hit a timeout and fail the request).
        var options = new MockServerOptions { IncludeDefaultFixtures = false };
        options.Fixtures.Add(new FixtureDocument("regex.json", """
            {"models":[{"id":"m","root":"org/M"}],
             "completions":[{"match":{"prompt_regex":"^(a+)+$"},"tokens":[" matched"]}]}
            """));
        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        var (status, _, json) = await client.CompleteAsync($$"""{"model":"m","prompt":"{{new string('a', 5000)}}!","max_tokens":1,"temperature":0}""");
        var (_, _, hit) = await client.CompleteAsync("""{"model":"m","prompt":"aaaa","max_tokens":1}""");

        status.Should().Be(200);
        json.GetProperty("choices")[0].GetProperty("text").GetString().Should().NotBe(" matched");
        hit.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" matched");
    }

    [Fact]
    public async Task Then_synthetic_continues_after_the_script()
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(new FixtureDocument("cont.json", """
            {"completions":[{"match":{"prompt":"Go on"},"tokens":[" Once"],"then":"synthetic"}]}
            """));
        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        var (_, _, json) = await client.CompleteAsync("""{"model":"llama-8b","prompt":"Go on","max_tokens":12,"logit_bias":{"128001":-100}}""");

        var text = json.GetProperty("choices")[0].GetProperty("text").GetString()!;
        text.Should().StartWith(" Once");
        text.Length.Should().BeGreaterThan(" Once".Length);
        json.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("length");
    }

    [Fact]
    public async Task Fixture_from_code_answers_and_then_ends_with_stop()
    {
        var options = new MockServerOptions();
        options.Fixtures.Add(FixtureDocument.Completion("ping", [" pong"], model: "llama-1b"));
        await using var mock = await MockLlmServer.StartAsync(options);
        using var client = Api.ClientFor(mock);

        var (_, _, small) = await client.CompleteAsync("""{"model":"llama-1b","prompt":"ping","max_tokens":5}""");
        var (_, _, other) = await client.CompleteAsync("""{"model":"llama-8b","prompt":"ping","max_tokens":5,"temperature":0}""");

        small.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" pong");
        small.GetProperty("choices")[0].GetProperty("finish_reason").GetString().Should().Be("stop");
        small.GetProperty("usage").GetProperty("completion_tokens").GetInt32().Should().Be(2);
        other.GetProperty("choices")[0].GetProperty("text").GetString().Should().NotBe(" pong", "the fixture is for llama-1b only");
    }

    internal static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found above the test assembly.");
    }
}
