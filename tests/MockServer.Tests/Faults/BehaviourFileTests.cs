using System.Text.Json;
using MockServer.Hosting;

namespace MockServer.Tests.Faults;

/// <summary>
/// The behaviour file (<c>schemas/behaviour.schema.json</c>) is validated at start like fixtures: a bad file stops the
/// start with the file, the JSON path and the line, before any request is served.
/// </summary>
public sealed class BehaviourFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("mock-behaviour-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("""{"faults":{"seed":1,"rules":[{"fault":"error_after=2","rate":1.5}]}}""", "does not match schemas/behaviour.schema.json at $.faults.rules[0].rate: 1.5 is too large")]
    [InlineData("""{"faults":{"seed":1,"rules":[{"fault":"error_after=two","rate":0.5}]}}""", "at $.faults.rules[0].fault: 'error_after=two' is not a fault: error_after must be a whole number")]
    [InlineData("""{"faults":{"seed":1,"rules":[{"fault":"error_after=2","rate":0.5,"models":["no-such-model"]}]}}""", "at $.faults.rules[0].models[0]: 'no-such-model' is not a served model")]
    [InlineData("""{"faults":{"seed":1,"rules":[{"fault":"error_after=2","rate":0.5,"paths":["/v1/embeddings"]}]}}""", "at $.faults.rules[0].paths[0]: '/v1/embeddings' is not one of /v1/completions, /v1/chat/completions")]
    [InlineData("""{"faults":{"rules":[]}}""", "at $.faults.seed: required property 'seed' is missing")]
    [InlineData("""{"fault":{"seed":1,"rules":[]}}""", "at $.fault: property 'fault' is not allowed")]
    [InlineData("""{"timing":{"itl_ms":5,"tps":10}}""", "at $.timing: give itl_ms or tps, not both")]
    [InlineData("""{"timing":{"ttft_ms":-5}}""", "at $.timing.ttft_ms: -5 is too small")]
    [InlineData("""{"faults":{"seed":9223372036854775808,"rules":[]}}""", "at $.faults.seed: 9223372036854775808 is too large; it must be at most 9223372036854775807")]
    [InlineData("""{"faults":{"seed":18446744073709551616,"rules":[]}}""", "at $.faults.seed: 18446744073709551616 is too large; it must be at most 9223372036854775807")]
    [InlineData("""{"faults":{"seed":"7","rules":[]}}""", "at $.faults.seed: it must be an integer, not '7'")]
    [InlineData("""{"faults":{"seed":1.5,"rules":[]}}""", "at $.faults.seed: it must be an integer, not 1.5")]
    [InlineData("""{"faults":{"seed":1,"rules":{}}}""", "at $.faults.rules: it must be an array, not {}")]
    [InlineData("""[1]""", "at $: the file must hold one JSON object, not [1]")]
    public async Task A_bad_behaviour_file_stops_the_start_naming_file_path_and_line(string json, string expected)
    {
        var file = Path.Combine(_folder, "behaviour.json");
        await File.WriteAllTextAsync(file, json);

        var start = () => MockLlmServer.StartAsync(new MockServerOptions { BehaviourFile = file });

        var message = (await start.Should().ThrowAsync<BehaviourLoadException>()).Which.Message;
        message.Should().StartWith($"Behaviour file '{file}' ").And.Contain(expected).And.Contain("(line 1, position");
    }

    [Fact]
    public async Task A_behaviour_file_that_is_not_json_or_missing_stops_the_start()
    {
        var broken = () => MockLlmServer.StartAsync(new MockServerOptions { Behaviour = new BehaviourDocument("inline", "{\"faults\": ") });
        (await broken.Should().ThrowAsync<BehaviourLoadException>()).Which.Message.Should().StartWith("Behaviour file 'inline' is not valid JSON at line 1");
        var empty = () => MockLlmServer.StartAsync(new MockServerOptions { Behaviour = new BehaviourDocument("blank", "  \n") });
        (await empty.Should().ThrowAsync<BehaviourLoadException>()).Which.Message.Should().Be("Behaviour file 'blank' is empty; a behaviour file holds one JSON object (line 1, position 1).");

        var missing = Path.Combine(_folder, "nope.json");
        var absent = () => MockLlmServer.StartAsync(new MockServerOptions { BehaviourFile = missing });
        (await absent.Should().ThrowAsync<BehaviourLoadException>()).Which.Message.Should().Be($"Behaviour file '{missing}' does not exist.");
    }

    [Fact]
    public async Task A_file_and_a_document_together_are_refused()
    {
        var both = () => MockLlmServer.StartAsync(new MockServerOptions { BehaviourFile = "a.json", Behaviour = new BehaviourDocument("b", "{}") });

        await both.Should().ThrowAsync<ArgumentException>().WithMessage("*not both*");
    }

    [Fact]
    public async Task The_README_behaviour_file_and_fixture_examples_load()
    {
        var readme = await File.ReadAllTextAsync(Path.Combine(Fixtures.FixtureLoadingTests.RepositoryRoot(), "README.md"));
        string Example(string marker)
        {
            var at = readme.IndexOf(marker, StringComparison.Ordinal);
            at.Should().BePositive($"the README shows an example with {marker}");
            var start = readme.LastIndexOf("```json", at, StringComparison.Ordinal) + "```json".Length;
            return readme[start..readme.IndexOf("```", at, StringComparison.Ordinal)];
        }

        var options = new MockServerOptions { Behaviour = new BehaviourDocument("README behaviour", Example("\"faults\": {")) };
        options.Fixtures.Add(new MockServer.Fixtures.FixtureDocument("README timing", Example("\"fault\": \"error_after=2\"")));

        await using var server = await MockLlmServer.StartAsync(options);

        options.Timing!.TimeToFirstToken.Should().Be(TimeSpan.FromMilliseconds(150));
    }

    [Fact]
    public void The_timing_definitions_of_both_schemas_are_the_same_but_for_their_description()
    {
        static string Timing(string schema)
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", schema)))!["definitions"]!["timing"]!.AsObject();
            node.Remove("description");
            return node.ToJsonString();
        }

        Timing("behaviour.schema.json").Should().Be(Timing("fixture.schema.json"));
    }

    [Fact]
    public void The_schema_names_every_timing_field_the_code_reads()
    {
        using var schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "schemas", "behaviour.schema.json")));
        var names = schema.RootElement.GetProperty("definitions").GetProperty("timing").GetProperty("properties").EnumerateObject().Select(p => p.Name);

        names.Should().BeEquivalentTo(MockServer.Timing.TimingFields.Names);
    }
}
