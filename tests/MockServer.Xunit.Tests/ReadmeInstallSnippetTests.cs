using System.Text.RegularExpressions;

namespace MockServer.Xunit.Tests;

/// <summary>
/// The README's Install section shows C# that users paste; tests/PackageConsumer compiles and runs that code against
/// the packed packages (.ci/package-smoke). This keeps the two the same, line for line, so the README never shows
/// code that no build checks.
/// </summary>
public sealed partial class ReadmeInstallSnippetTests
{
    [Fact]
    public async Task Every_csharp_line_of_the_install_section_is_in_the_consumer_project()
    {
        var root = RepositoryRoot();
        var readme = await File.ReadAllTextAsync(Path.Combine(root, "README.md"));
        var install = readme[readme.IndexOf("\n## Install\n", StringComparison.Ordinal)..];
        install = install[..install.IndexOf("\n## ", 2, StringComparison.Ordinal)];
        var snippets = CSharpBlock().Matches(install).Select(m => m.Groups[1].Value).ToList();
        snippets.Should().HaveCount(2, "the section shows the in-process example and the xunit fixture example");

        var consumer = Directory.EnumerateFiles(Path.Combine(root, "tests", "PackageConsumer"), "*.cs")
            .SelectMany(File.ReadAllLines).Select(l => l.Trim()).ToHashSet(StringComparer.Ordinal);
        var lines = snippets.SelectMany(s => s.Split('\n')).Select(l => l.Trim()).Where(l => l.Length > 0);
        lines.Where(l => !consumer.Contains(l)).Should().BeEmpty("each README line must be compiled by tests/PackageConsumer");
    }

    private static string RepositoryRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Conformance.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Conformance.sln not found above the test's directory.");
    }

    [GeneratedRegex("```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
