using System.Text.Json.Nodes;
using Conformance.Cli;
using Conformance.Reporting;
using Conformance.Tests.Fakes;

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
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--profile", "nope" }, "Unknown profile")]
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--only", "no.such.check" }, "matches no check")]
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--timeout", "0" }, "positive number of seconds")]
    [InlineData(new[] { "--base-url", "http://127.0.0.1:1/v1", "--profile", "openai" }, "--model is required")]
    [InlineData(new[] { "--bogus" }, "Unrecognized")]
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
    public async Task List_PrintsEveryCheck_AndMarkdownMatchesDocs()
    {
        var (code, text, _) = await RunAsync(["--list"]);
        var (_, markdown, _) = await RunAsync(["--list", "--format", "markdown"]);

        code.Should().Be(CliApp.Passed);
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(Conformance.Checks.Catalogue.All.Count);
        markdown.Should().Be(CatalogueMarkdown.Render());
    }

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
