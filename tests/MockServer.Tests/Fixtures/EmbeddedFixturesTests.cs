using MockServer.Fixtures;

namespace MockServer.Tests.Fixtures;

/// <summary>
/// The server does not validate its embedded default fixtures at start (so a plain start never loads the JSON Schema
/// library: issue 10, the installed tool answers within a second); this holds them to <c>schemas/fixture.schema.json</c>
/// instead, every build, with the loader's own validation (the one user files go through), beside the plain schema check
/// of <c>fixtures/</c> in <see cref="FixtureLoadingTests"/>.
/// </summary>
public sealed class EmbeddedFixturesTests
{
    [Fact]
    public void Every_embedded_default_fixture_file_conforms_to_the_fixture_schema()
    {
        var embedded = FixtureLoader.EmbeddedDefaults().ToList();

        embedded.Select(d => d.Name).Should().BeEquivalentTo(
            Directory.GetFiles(Path.Combine(FixtureLoadingTests.RepositoryRoot(), "fixtures"), "*.json").Select(Path.GetFileName),
            "every file of fixtures/ is embedded, so every one is checked here");
        foreach (var doc in embedded)
        {
            var read = () => FixtureLoader.Read(doc, validate: true);
            read.Should().NotThrow($"{doc.Name} is served to every user of the mock");
        }
    }

    [Fact]
    public async Task A_user_file_is_still_validated_at_start_even_when_it_replaces_a_default_by_name()
    {
        var name = FixtureLoader.EmbeddedDefaults().First().Name;
        var dir = Directory.CreateTempSubdirectory("mock-embedded-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, name), """{"completions":[{"name":"x","match":{"model":"llama-8b","prompt":"p"},"tokens":[" a"],"surprise":1}]}""");
            var load = () => FixtureLoader.LoadAsync(includeDefaults: true, dir, []);
            await load.Should().ThrowAsync<FixtureLoadException>().WithMessage("*surprise*");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
