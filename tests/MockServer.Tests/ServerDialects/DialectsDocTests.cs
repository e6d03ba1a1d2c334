using MockServer.Dialects;

namespace MockServer.Tests.ServerDialects;

/// <summary>docs/dialects.md is generated from the dialect data (issue 9: "a documented table lists every quirk of every dialect").</summary>
public sealed class DialectsDocTests
{
    [Fact]
    public void DialectsDoc_IsUpToDate()
    {
        var path = Path.Combine(RepositoryRoot(), "docs", "dialects.md");
        var rendered = DialectsMarkdown.Render();
        if (Environment.GetEnvironmentVariable("MOCK_REGENERATE_DOCS") == "1")
        {
            File.WriteAllText(path, rendered);
        }

        var onDisk = File.Exists(path) ? File.ReadAllText(path) : "(missing)";
        onDisk.Should().Be(rendered, $"docs/dialects.md is generated; regenerate with: {DialectsMarkdown.RegenerateCommand}");
    }

    [Fact]
    public void Every_quirk_has_a_stable_id_of_its_dialect_and_a_spec_section()
    {
        var quirks = MockServer.Dialects.Dialects.All.SelectMany(d => d.Quirks.Concat(d.NotReproduced).Select(q => (Dialect: d.Name, Quirk: q))).ToList();

        quirks.Should().OnlyContain(q => q.Quirk.Id.StartsWith(q.Dialect + ".", StringComparison.Ordinal) && q.Quirk.Spec.Contains('§') && q.Quirk.Description.Length > 0);
        quirks.Select(q => q.Quirk.Id).Should().OnlyHaveUniqueItems();
        MockServer.Dialects.Dialects.All.Where(d => d.Name is "vllm" or "llamacpp").Should().OnlyContain(d => d.Quirks.Count >= 10);
    }

    [Fact]
    public void The_doc_lists_every_quirk_with_its_section()
    {
        var doc = DialectsMarkdown.Render();

        foreach (var quirk in MockServer.Dialects.Dialects.All.SelectMany(d => d.Quirks))
        {
            doc.Should().Contain($"| `{quirk.Id}` |").And.Contain(quirk.Spec);
        }
    }

    /// <summary>The checkout the tests were built from: the folder above the test binaries that holds the solution.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Conformance.sln not found above " + AppContext.BaseDirectory);
    }
}
