using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conformance.Checks;
using Conformance.Cli;
using Conformance.Reporting;
using Conformance.Tests.Fakes;
using Conformance.Tests.Http;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Cli;

public sealed class CliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-cli-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string[] Args(FakeAcsServer server, params string[] more) =>
        ["--base-url", server.BaseUrl.ToString(), "--api-key", Suite.Key, "--timeout", "10", .. more];

    [Fact]
    public async Task Run_AllSelectedChecksPass_ExitsZeroWithSummary()
    {
        await using var server = await FakeAcsServer.StartAsync();

        var (code, output, _) = await RunAsync(Args(server, "--only", "models,auth"));

        code.Should().Be(CliApp.Passed);
        output.Should().Contain("[  1/4]").And.Contain("models (2/2 passed)").And.Contain("4 passed, 0 failed");
        output.Should().NotContain(Suite.Key);
    }

    [Fact]
    public async Task Run_ACheckFails_ExitsOne()
    {
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.ModelsObjectWrong);
        await using var server = await FakeAcsServer.StartAsync(fake);

        var (code, output, _) = await RunAsync(Args(server, "--only", "models"));

        code.Should().Be(CliApp.Failed);
        output.Should().Contain("FAIL models.list-shape");
    }

    [Theory]
    [InlineData(new string[0], "--base-url is required")]
    [InlineData(new[] { "--base-url", "not a url" }, "not an absolute URL")]
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--profile", "nope" }, "unknown profile")]
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--only", "no.such.check" }, "matches no check")]
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--timeout", "0" }, "positive number of seconds")]
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--profile", "openai" }, "--model is required")]
    [InlineData(new[] { "--bogus" }, "unknown option at position 1")]
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--profle", "acs" }, "unknown option at position 3; did you mean '--profile'?")]
    [InlineData(new[] { "--list", "--format", "yaml" }, "--format must be")]
    [InlineData(new[] { "diff", "/nonexistent/a.json", "/nonexistent/b.json" }, "error:")]
    public async Task Run_UsageOrConfigurationError_ExitsTwo(string[] args, string message)
    {
        var (code, _, error) = await RunAsync(args);

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain(message);
    }

    [Fact]
    public async Task Run_FlagsAbsent_ReadsOpenAiThenAcsVariables()
    {
        await using var server = await FakeAcsServer.StartAsync();
        var acsOnly = new Dictionary<string, string> { ["ACS_API_BASE"] = server.BaseUrl.ToString(), ["ACS_API_KEY"] = Suite.Key };
        var openAiFirst = new Dictionary<string, string>
        {
            ["OPENAI_BASE_URL"] = server.BaseUrl.ToString(),
            ["OPENAI_API_KEY"] = Suite.Key,
            ["ACS_API_BASE"] = "http://127.0.0.1:1/v1",
            ["ACS_API_KEY"] = "wrong",
        };

        (await RunAsync(["--only", "auth,models", "--quiet"], acsOnly)).Code.Should().Be(CliApp.Passed);
        (await RunAsync(["--only", "auth,models", "--quiet"], openAiFirst)).Code.Should().Be(CliApp.Passed);
    }

    [Fact]
    public async Task Run_UnknownProfile_NamesTheKnownOnesInOneLine()
    {
        var (code, output, error) = await RunAsync(["--base-url", "http://127.0.0.1:1/v1", "--profile", "foo"]);

        code.Should().Be(CliApp.UsageError);
        error.Should().Be("error: unknown profile 'foo'; known profiles: acs, llamacpp, llmbase, openai, vllm" + Environment.NewLine);
        output.Should().BeEmpty();
    }

    [Theory]
    [InlineData("--profile", "nope")]
    [InlineData("--only", "no.such.check")]
    [InlineData("--skip", "no.such.check")]
    [InlineData("--budget", "0")]
    [InlineData("--concurrency", "0")]
    [InlineData("--max-body-bytes", "-1")]
    public async Task Run_BadConfiguration_IsOneLineWithoutDotNetParameterNames(string option, string value)
    {
        // A configuration error is reported before any request (a preflight or a check) reaches the endpoint.
        await using var server = await TinyServer.StartAsync(_ => Task.CompletedTask);

        var (code, output, error) = await RunAsync(["--base-url", server.BaseUrl.ToString(), option, value]);

        code.Should().Be(CliApp.UsageError);
        server.Authorizations.Should().BeEmpty("no request is sent for a configuration that cannot run");
        error.Should().StartWith("error: ").And.NotContain("Parameter").And.NotContain("options").And.NotContain("(name");
        error.TrimEnd().Split('\n').Should().ContainSingle();
        output.Should().BeEmpty();
    }

    [Fact]
    public void UserMessage_ArgumentException_DropsOnlyTheParameterSuffix()
    {
        CliApp.UserMessage(new ArgumentException("'x' matches no check", "options")).Should().Be("'x' matches no check");
        CliApp.UserMessage(new ArgumentException("no parameter")).Should().Be("no parameter");
        CliApp.UserMessage(new IOException("disk full")).Should().Be("disk full");
    }

    [Theory]
    [InlineData("acs")]
    [InlineData("llamacpp")]
    public async Task List_Text_HasAHeaderThenEveryCheckWithItsLevelUnderTheProfile(string profileName)
    {
        var profile = ConformanceRunner.ResolveProfile(profileName);

        var (code, text, _) = await RunAsync(["--list", "--profile", profileName]);

        code.Should().Be(CliApp.Passed);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().Equal("Id", "Level", $"({profileName})", "Title");
        lines.Skip(1).Select(l => l.Split(' ', 3, StringSplitOptions.RemoveEmptyEntries)[0]).Should().Equal(Catalogue.All.Select(c => c.Id));
        foreach (var (line, check) in lines.Skip(1).Zip(Catalogue.All))
        {
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            cells[1].Should().Be(LevelName(profile.LevelFor(check.Id)), check.Id);
            line.Should().EndWith(" " + check.Title);
        }
    }

    [Fact]
    public async Task List_Markdown_HasARowPerCheckWithItsLevelUnderEveryProfile()
    {
        var (code, markdown, _) = await RunAsync(["--list", "--format", "markdown"]);

        code.Should().Be(CliApp.Passed);
        var rows = markdown.Split('\n').Where(l => l.StartsWith('|')).Select(Cells).ToList();
        var header = rows.Single(r => r[0] == "Id");
        header.Take(3).Should().Equal("Id", "Title", "Spec");
        var profiles = header.Skip(3).ToList();
        profiles.Should().BeEquivalentTo(ConformanceRunner.ProfileNames);
        var checkRows = rows.Where(r => r[0].StartsWith('`') && r.Count == header.Count).ToDictionary(r => r[0].Trim('`'));
        checkRows.Keys.Should().BeEquivalentTo(Catalogue.All.Select(c => c.Id), "every check has one row, and no row names another");
        foreach (var check in Catalogue.All)
        {
            var row = checkRows[check.Id];
            row[1].Should().Be(check.Title);
            row[2].Should().Be(check.Spec);
            row.Skip(3).Should().Equal(profiles.Select(p => LevelName(ConformanceRunner.ResolveProfile(p).LevelFor(check.Id))), check.Id);
        }

        markdown.Should().Contain($"\n{Catalogue.All.Count} checks.\n");
    }

    /// <summary>The level names the docs promise (docs/conformance.md, "Levels and verdicts"), spelled out here on purpose.</summary>
    private static string LevelName(CheckLevel level) => level switch
    {
        CheckLevel.Must => "MUST",
        CheckLevel.Should => "SHOULD",
        CheckLevel.ExpectedDivergence => "DIVERGENCE",
        CheckLevel.NotApplicable => "N/A",
        _ => throw new ArgumentOutOfRangeException(nameof(level)),
    };

    /// <summary>A markdown table row's cells; <c>\|</c> inside a cell is an escaped bar, not a separator.</summary>
    private static List<string> Cells(string row) =>
        [.. Regex.Split(row.Trim().Trim('|'), @"(?<!\\)\|").Select(c => c.Trim().Replace("\\|", "|", StringComparison.Ordinal))];

    [Fact]
    public async Task Run_JsonAndJUnit_AreWritten()
    {
        var fake = new FakeServerOptions();
        fake.Violations.Add(Violation.ModelsMissingConfigured);
        await using var server = await FakeAcsServer.StartAsync(fake);
        var json = Path.Combine(_dir, "r.json");
        var junit = Path.Combine(_dir, "r.xml");

        var (code, _, _) = await RunAsync(Args(server, "--only", "models", "--json", json, "--junit", junit));

        code.Should().Be(CliApp.Failed);
        JsonNode.Parse(await File.ReadAllTextAsync(json))!["checks"]!.AsArray().Should().HaveCount(2);
        (await File.ReadAllTextAsync(junit)).Should().Contain("<testcase").And.Contain("<failure");
    }

    [Fact]
    public async Task Diff_Regression_ExitsOne_AndImprovementExitsZero()
    {
        var good = await Suite.RunAsync(new FakeServerOptions(), null, "stream.usage", "validation.boolean.n");
        var badFake = new FakeServerOptions();
        badFake.Violations.Add(Violation.StreamUsageAlways);
        badFake.DisabledRules.Add("validation.boolean.n.true");
        var bad = await Suite.RunAsync(badFake, null, "stream.usage", "validation.boolean.n");
        var before = Path.Combine(_dir, "before.json");
        var after = Path.Combine(_dir, "after.json");
        await File.WriteAllTextAsync(before, JsonReport.Serialize(good));
        await File.WriteAllTextAsync(after, JsonReport.Serialize(bad));

        var (regressed, output, _) = await RunAsync(["diff", before, after]);
        var (improved, _, _) = await RunAsync(["diff", after, before]);

        regressed.Should().Be(CliApp.Failed);
        output.Should().Contain("stream.usage.absent-when-not-requested: pass -> fail  REGRESSION")
            .And.Contain("validation.boolean.n.true: pass -> fail  REGRESSION")
            .And.Contain("stream.usage_without_stream_options: false -> true")
            .And.Contain("validation.booleans_accepted: 0 -> 1")
            .And.Contain("validation.boolean.n.true.status: 400 -> 200");
        improved.Should().Be(CliApp.Passed);
    }
}
