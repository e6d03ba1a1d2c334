using System.CommandLine;
using System.Text.RegularExpressions;
using Conformance.Cli;
using YamlDotNet.RepresentationModel;

namespace Conformance.Tests.Cli;

/// <summary>
/// The CI recipe's workflow (docs/github-actions/conformance.yml) is valid YAML with the steps docs/ci-recipe.md
/// describes, and every <c>llm-conformance</c> command line in it parses with this build's command line: a flag renamed
/// or removed breaks this test before it breaks a user's pipeline.
/// </summary>
public sealed partial class CiRecipeWorkflowTests
{
    private static YamlMappingNode Workflow()
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(AppContext.BaseDirectory, "docs", "github-actions", "conformance.yml"));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static List<YamlMappingNode> Steps() =>
        [.. ((YamlSequenceNode)((YamlMappingNode)((YamlMappingNode)Workflow()["jobs"]).Children.Values.Single())["steps"]).Cast<YamlMappingNode>()];

    private static string? Scalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(new YamlScalarNode(key), out var value) && value is YamlScalarNode scalar ? scalar.Value : null;

    /// <summary>Each <c>llm-conformance</c> invocation in the steps' scripts, as its arguments (continuations joined, redirections cut).</summary>
    private static List<string[]> Invocations() =>
        [.. Steps().Select(s => Scalar(s, "run")).OfType<string>()
            .SelectMany(script => script.Replace("\\\n", " ", StringComparison.Ordinal).Split('\n'))
            .Select(line => line.Trim())
            .Where(line => line.StartsWith("llm-conformance ", StringComparison.Ordinal))
            .Select(line => Words(ShellEnd().Split(line)[0])[1..])];

    [Fact]
    public void The_workflow_runs_the_installed_tool_publishes_its_reports_and_diffs_against_the_last_main_run()
    {
        var steps = Steps();
        var uses = steps.Select(s => Scalar(s, "uses")).OfType<string>().ToList();
        var scripts = string.Join("\n", steps.Select(s => Scalar(s, "run")).OfType<string>());

        uses.Should().Contain(u => u.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal));
        steps.Single(s => Scalar(s, "uses")?.StartsWith("actions/setup-dotnet@", StringComparison.Ordinal) == true)["with"]["dotnet-version"].ToString().Should().StartWith("10.");
        scripts.Should().Contain("dotnet tool install --global LlmCompat.Conformance.Tool");
        uses.Should().Contain(u => u.StartsWith("actions/upload-artifact@", StringComparison.Ordinal))
            .And.Contain(u => u.StartsWith("actions/download-artifact@", StringComparison.Ordinal))
            .And.Contain(u => u.StartsWith("dorny/test-reporter@", StringComparison.Ordinal));

        var run = Invocations().Should().ContainSingle(a => a.Length > 0 && a[0] != "diff").Subject;
        run.Should().Contain(["--base-url", "--json", "--junit", "--html"]);
        run.Should().NotContain("--api-key", "the key comes from a secret through the environment, never on a command line");
        var diff = Invocations().Should().ContainSingle(a => a.Length > 0 && a[0] == "diff").Subject;
        diff[^1].Should().Be(run[Array.IndexOf(run, "--json") + 1], "diff compares the report this run wrote");
    }

    [Fact]
    public void The_reporter_can_run_every_later_step_runs_and_the_gate_needs_a_baseline_that_was_downloaded()
    {
        var steps = Steps();
        int Index(Func<YamlMappingNode, bool> match) => steps.FindIndex(s => match(s));
        var reporter = Index(s => Scalar(s, "uses")?.StartsWith("dorny/test-reporter@", StringComparison.Ordinal) == true);

        // dorny/test-reporter@v1 runs `git ls-files` unless annotations are off (dorny/test-reporter#131): without a
        // checkout before it, the step fails on every run.
        var checkout = Index(s => Scalar(s, "uses")?.StartsWith("actions/checkout@", StringComparison.Ordinal) == true);
        var annotationsOff = steps[reporter]["with"] is YamlMappingNode with && Scalar(with, "max-annotations") == "0";
        (checkout >= 0 && checkout < reporter || annotationsOff).Should().BeTrue("the JUnit step needs a checkout or max-annotations: 0");

        var permissions = (YamlMappingNode)Workflow()["permissions"];
        permissions.Children.ToDictionary(p => p.Key.ToString(), p => p.Value.ToString())
            .Should().BeEquivalentTo(new Dictionary<string, string> { ["actions"] = "read", ["checks"] = "write", ["contents"] = "read" });

        // The key is scoped to the step that runs the suite, not the job (so no other action sees it).
        var run = Index(s => Scalar(s, "id") == "run");
        var job = (YamlMappingNode)((YamlMappingNode)Workflow()["jobs"]).Children.Values.Single();
        if (job.Children.TryGetValue(new YamlScalarNode("env"), out var jobEnv))
        {
            ((YamlMappingNode)jobEnv).Children.Should().NotContainKey(new YamlScalarNode("OPENAI_API_KEY"));
        }

        Scalar((YamlMappingNode)steps[run]["env"], "OPENAI_API_KEY").Should().Contain("secrets.");
        steps.Where((s, i) => i != run && s.Children.ContainsKey(new YamlScalarNode("env")))
            .Should().OnlyContain(s => !((YamlMappingNode)s["env"]).Children.ContainsKey(new YamlScalarNode("OPENAI_API_KEY")));

        // A step that fails must not skip the gate: every step after the run says always().
        steps.Skip(run + 1).Should().OnlyContain(s => (Scalar(s, "if") ?? string.Empty).Contains("always()", StringComparison.Ordinal));

        // The baseline: the last green push to main, not a fork's PR from its own 'main' or a manual run.
        var list = string.Join("\n", steps.Select(s => Scalar(s, "run")).OfType<string>()).Replace("\\\n", " ", StringComparison.Ordinal)
            .Split('\n').Single(l => l.Contains("gh run list", StringComparison.Ordinal));
        Words(list).Should().ContainInConsecutiveOrder("--branch", "main").And.ContainInConsecutiveOrder("--event", "push").And.ContainInConsecutiveOrder("--status", "success");

        // The download reads another run's artifact (run-id, a token); an expired artifact does not fail the job.
        var download = steps.Single(s => Scalar(s, "uses")?.StartsWith("actions/download-artifact@", StringComparison.Ordinal) == true);
        Scalar((YamlMappingNode)download["with"], "run-id").Should().Contain("steps.last.outputs.run-id");
        Scalar((YamlMappingNode)download["with"], "github-token").Should().Contain("github.token");
        Scalar(download, "continue-on-error").Should().Be("true");
        var gate = steps.Single(s => (Scalar(s, "run") ?? string.Empty).Contains("llm-conformance diff", StringComparison.Ordinal));
        Scalar(gate, "if").Should().Contain("hashFiles('last/current.json') != ''", "the gate runs only on a baseline that was downloaded");
    }

    [Fact]
    public void Every_llm_conformance_command_line_in_the_workflow_parses()
    {
        var root = new ConformanceRootCommand(new CliEnvironment(TextWriter.Null, TextWriter.Null, _ => null));
        var invocations = Invocations();

        invocations.Should().HaveCountGreaterThanOrEqualTo(2);
        foreach (var args in invocations)
        {
            var parse = root.Parse(args);
            parse.Errors.Select(e => e.Message).Should().BeEmpty(string.Join(' ', args));
        }
    }

    /// <summary>Shell words: blanks separate, double or single quotes group (the recipe quotes only whole words).</summary>
    private static string[] Words(string line) =>
        [.. Word().Matches(line).Select(m => m.Value.Trim('"', '\''))];

    [GeneratedRegex(@"""[^""]*""|'[^']*'|\S+")]
    private static partial Regex Word();

    /// <summary>Where the command ends: a redirection, a pipe, or a list operator.</summary>
    [GeneratedRegex(@"\s(?:\d?>|\||&&|;)")]
    private static partial Regex ShellEnd();
}
