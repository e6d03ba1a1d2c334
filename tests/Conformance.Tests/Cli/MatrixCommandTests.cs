using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Conformance.Cli;
using Conformance.Reporting;
using Conformance.Tests.Matrix;
using MockServer.Hosting;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Cli;

/// <summary>
/// <c>llm-conformance matrix</c> against real in-process MockServers of different dialects and one dead port: each cell is
/// the verdict the target gets from a run of its own, a broken target is reported in its column, keys come only from
/// the environment and reach no output, and a bad config stops with the file, the line and the JSON path.
/// </summary>
public sealed partial class MatrixCommandTests : IDisposable
{
    /// <summary>A key the first mock requires; it must appear in no output.</summary>
    private const string Key = "sk-matrix-7f3c9a2e41b8d6055e";

    private const string KeyVariable = "MATRIX_TEST_KEY";

    /// <summary>Cheap and telling: the llamacpp dialect breaks stream rules the acs profile holds it to.</summary>
    private static readonly string[] Selection = ["models", "auth", "stream"];

    /// <summary>The wall-clock time the mocks read (see <see cref="PinnedWallClock"/>).</summary>
    private static readonly DateTimeOffset CellNow = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-matrix-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static JsonObject Target(string name, Uri baseUrl, string profile, string? keyVariable = null)
    {
        var target = new JsonObject { ["name"] = name, ["baseUrl"] = baseUrl.ToString(), ["model"] = "llama-8b", ["profile"] = profile, ["only"] = new JsonArray([.. Selection.Select(s => JsonValue.Create(s))]) };
        if (keyVariable is not null)
        {
            target["apiKeyEnv"] = keyVariable;
        }

        return target;
    }

    private string Config(params JsonObject[] targets)
    {
        var path = Path.Combine(_dir, "targets.json");
        File.WriteAllText(path, new JsonObject { ["targets"] = new JsonArray(targets) }.ToJsonString());
        return path;
    }

    private string[] Args(string config) =>
        ["matrix", "--config", config, "--markdown", Path.Combine(_dir, "out.md"), "--html", Path.Combine(_dir, "out.html"), "--json", Path.Combine(_dir, "out.json")];

    /// <summary>The verdicts a single run of the same target gets, by check id, as the JSON report names them.</summary>
    private static async Task<Dictionary<string, string>> OwnRunAsync(Uri baseUrl, string profile, string? key)
    {
        var options = new ConformanceOptions { BaseUrl = baseUrl, ApiKey = key, Model = "llama-8b", Profile = profile };
        foreach (var selector in Selection)
        {
            options.Only.Add(selector);
        }

        var report = await ConformanceRunner.RunAsync(options);
        return report.Checks.ToDictionary(c => c.Id, c => ReportNames.Of(c.Verdict));
    }

    [Fact]
    public async Task Each_cell_is_the_verdict_of_the_targets_own_run_and_a_dead_target_is_reported_in_its_column()
    {
        // Pinned wall clocks: llama.cpp re-reads `created` per chunk, so on the system clock stream.constant-identity
        // flipped whenever a second ticked between the matrix's run and the own run it is compared with.
        await using var strict = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Key }, TimeProvider = new PinnedWallClock(CellNow) });
        await using var llamacpp = await MockLlmServer.StartAsync(new MockServerOptions { Profile = "llamacpp", TimeProvider = new PinnedWallClock(CellNow) });
        var dead = new Uri("http://127.0.0.1:1/v1");
        var config = Config(Target("mock acs", strict.BaseUrl, "acs", KeyVariable), Target("mock llamacpp", llamacpp.BaseUrl, "acs"), Target("dead", dead, "acs"));

        var (code, output, error) = await RunAsync(Args(config), new() { [KeyVariable] = Key });

        var expected = new[] { await OwnRunAsync(strict.BaseUrl, "acs", Key), await OwnRunAsync(llamacpp.BaseUrl, "acs", null) };
        expected[1].Values.Should().Contain("fail", "the llamacpp dialect must break some acs rule, or this test proves nothing about failures");
        code.Should().Be(CliApp.Failed, error);
        output.Should().Contain("[3/3] dead: not checked:");

        var markdown = MarkdownCells(await File.ReadAllTextAsync(Path.Combine(_dir, "out.md")));
        var html = HtmlCells(await File.ReadAllTextAsync(Path.Combine(_dir, "out.html")));
        foreach (var cells in new[] { markdown, html })
        {
            cells.Keys.Should().BeEquivalentTo(expected[0].Keys.Union(expected[1].Keys));
            foreach (var (id, row) in cells)
            {
                row.Should().Equal([expected[0].GetValueOrDefault(id, MatrixMarkdown.NotRun), expected[1].GetValueOrDefault(id, MatrixMarkdown.NotRun), MatrixMarkdown.NotRun], id);
            }
        }

        // The dead port's column says why, in the targets table of both pages.
        var mdText = await File.ReadAllTextAsync(Path.Combine(_dir, "out.md"));
        var htmlText = await File.ReadAllTextAsync(Path.Combine(_dir, "out.html"));
        mdText.Should().MatchRegex(@"\| dead \| http://127\.0\.0\.1:1/v1 \|.*\*\*not checked: .+\*\* \|");
        htmlText.Should().MatchRegex("<td>dead</td>.*<td class=\"error\">not checked: [^<]+</td>");
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "out.json")))!;
        json["targets"]![2]!["error"]!.GetValue<string>().Should().NotBeNullOrWhiteSpace();
        json["targets"]![0]!["report"]!["summary"]!["total"]!.GetValue<int>().Should().Be(expected[0].Count);
    }

    [Fact]
    public async Task The_key_is_read_from_the_variable_the_config_names_and_written_nowhere()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Key } });
        var config = Config(Target("keyed", server.BaseUrl, "acs", KeyVariable));

        var (code, output, error) = await RunAsync(Args(config), new() { [KeyVariable] = Key });

        // The mock refuses every request without the key: a pass means the variable's value was sent.
        code.Should().Be(CliApp.Passed, output + error);
        foreach (var text in new[] { output, error }.Concat(Directory.GetFiles(_dir, "out.*").Select(File.ReadAllText)))
        {
            text.Should().NotContain(Key).And.NotContain(Key["sk-".Length..]);
        }

        var (unsetCode, unsetOutput, _) = await RunAsync(Args(config), []);
        unsetCode.Should().Be(CliApp.Failed);
        unsetOutput.Should().Contain($"keyed: not checked: environment variable {KeyVariable} (apiKeyEnv) is not set");
    }

    public static TheoryData<string, string, string> BadConfigs => new()
    {
        // Config text, the JSON path the message must name, the text marking the line it must name.
        { "{\"targets\":[\n {\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\"},\n {\"name\":\"b\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\n  \"profile\":\"nope\"}]}", "$.targets[1].profile", "\"nope\"" },
        { "{\"targets\":[\n {\"name\":\"a\",\n  \"baseUrl\":\"http://127.0.0.1:1/v1\", \"apiKey\":\"sk-in-the-file\"}]}", "$.targets[0]", "\"apiKey\"" },
        { "{\"targets\":[\n {\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\"},\n {\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:2/v1\"}]}", "$.targets[1].name", "\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:2" },
        { "{\"targets\":[\n {\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\n  \"only\":[\"models\", \"no.such.check\"]}]}", "$.targets[0].only[1]", "no.such.check" },
        { "{\"targets\":[\n {\"name\":\"a\",\n  \"baseUrl\":\"ftp://example/v1\"}]}", "$.targets[0].baseUrl", "ftp://" },
        { "{\"targets\":[\n {\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\n  \"model\": }]}", "$", "\"model\"" },
        { "{\"targets\":[\n {\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\n  \"name\":\"b\"}]}", "$.targets[0].name: the property is given twice", "\"name\":\"b\"" },
        { "{\"targets\":[\n {\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\n  \"model\":\"  \"}]}", "$.targets[0].model: the model is blank", "\"  \"" },
        { "\n null", "$: expected an object", "null" },
        { "{\"targets\":[\n {\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\n  \"headers\":{\"Authorization\":\"x\"}}]}", "$.targets[0].headers: headers: the suite sets 'Authorization' itself (name the key's environment variable in apiKeyEnv)", "Authorization" },
    };

    [Theory]
    [MemberData(nameof(BadConfigs))]
    public async Task A_bad_config_stops_before_any_run_with_file_line_and_path(string text, string jsonPath, string lineMarker)
    {
        var path = Path.Combine(_dir, "bad.json");
        await File.WriteAllTextAsync(path, text);
        var line = text.Split('\n').ToList().FindIndex(l => l.Contains(lineMarker, StringComparison.Ordinal)) + 1;

        var (code, output, error) = await RunAsync(["matrix", "--config", path, "--markdown", Path.Combine(_dir, "out.md")]);

        code.Should().Be(CliApp.UsageError);
        error.Should().StartWith("error: ").And.Contain($"'{path}'").And.Contain($" at {jsonPath}").And.Contain($"(line {line}, position ");
        error.Should().NotContain("   at ", "no stack trace").And.NotContain("sk-in-the-file");
        output.Should().BeEmpty();
        File.Exists(Path.Combine(_dir, "out.md")).Should().BeFalse();
    }

    [Fact]
    public async Task A_date_like_header_value_reaches_the_target_unchanged()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions());
        var target = Target("dated", server.BaseUrl, "acs");
        target["only"] = new JsonArray("models");
        target["headers"] = new JsonObject { ["X-When"] = "2023-06-01T10:00:00Z" };

        var (code, output, error) = await RunAsync(Args(Config(target)));

        code.Should().Be(CliApp.Passed, output + error);
        var sent = server.Journal.Entries().Select(e => e.Headers.GetValueOrDefault("X-When")).ToList();
        sent.Should().NotBeEmpty().And.OnlyContain(v => v == "2023-06-01T10:00:00Z");
    }

    [Fact]
    public async Task A_short_key_of_one_target_masks_nothing_in_another_targets_column()
    {
        const string shortKey = "sk-models";
        await using var keyed = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { shortKey }, TimeProvider = new PinnedWallClock(CellNow) });
        await using var open = await MockLlmServer.StartAsync(new MockServerOptions { TimeProvider = new PinnedWallClock(CellNow) });
        var config = Config(Target("keyed", keyed.BaseUrl, "acs", KeyVariable), Target("open", open.BaseUrl, "acs"));

        var (code, output, error) = await RunAsync(Args(config), new() { [KeyVariable] = shortKey });

        code.Should().Be(CliApp.Passed, output + error);
        var expected = await OwnRunAsync(open.BaseUrl, "acs", null);
        expected.Should().ContainKey("models.list-shape");
        MarkdownCells(await File.ReadAllTextAsync(Path.Combine(_dir, "out.md"))).Keys.Should().BeEquivalentTo(expected.Keys);
        HtmlCells(await File.ReadAllTextAsync(Path.Combine(_dir, "out.html"))).Keys.Should().BeEquivalentTo(expected.Keys);

        // The open target's entry is its own run's report, untouched by the other target's key.
        var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(_dir, "out.json")))!;
        var openEntry = json["targets"]![1]!["report"]!;
        openEntry.ToJsonString().Should().NotContain(Conformance.Http.Redactor.Mask).And.Contain("/models");
        openEntry["checks"]!.AsArray().Select(c => c!["id"]!.GetValue<string>()).Should().BeEquivalentTo(expected.Keys);
        foreach (var text in new[] { output, error }.Concat(Directory.GetFiles(_dir, "out.*").Select(File.ReadAllText)))
        {
            text.Should().NotContainEquivalentOf(shortKey);
        }
    }

    [Theory]
    [InlineData("\"profile\": \"KEY\"", "unknown profile")]
    [InlineData("\"only\": [\"models\", \"KEY\"]", "matches no check id")]
    public async Task A_key_pasted_into_the_config_is_not_quoted_back(string property, string reason)
    {
        const string pasted = "sk-pasted-4b1e9a7c2d3f";
        var path = Path.Combine(_dir, "pasted.json");
        await File.WriteAllTextAsync(path, $"{{\"targets\":[{{\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\"apiKeyEnv\":\"PASTED_KEY\",\n {property.Replace("KEY", pasted, StringComparison.Ordinal)}}}]}}");

        var (code, output, error) = await RunAsync(["matrix", "--config", path], new() { ["PASTED_KEY"] = pasted });

        code.Should().Be(CliApp.UsageError);
        error.Should().Contain(reason).And.Contain("(line 2,");
        (output + error).Should().NotContain(pasted).And.NotContain(pasted["sk-".Length..]);
    }

    [Fact]
    public async Task A_config_over_a_mebibyte_is_refused_as_too_large_without_reading_it_whole()
    {
        var path = Path.Combine(_dir, "big.json");
        var head = "{\"targets\":[{\"name\":\"a\",\"baseUrl\":\"http://127.0.0.1:1/v1\",\"profile\":\"nope\"}]}";
        await File.WriteAllTextAsync(path, head + new string(' ', Conformance.Matrix.MatrixConfig.MaxBytes + 1 - head.Length));

        var (code, _, error) = await RunAsync(["matrix", "--config", path]);

        code.Should().Be(CliApp.UsageError);
        error.Should().StartWith("error: ").And.Contain("too large").And.NotContain("   at ");

        // At the limit the file is read and judged: the unknown profile, not the size.
        await File.WriteAllTextAsync(path, head + new string(' ', Conformance.Matrix.MatrixConfig.MaxBytes - head.Length));
        var (atLimit, _, atLimitError) = await RunAsync(["matrix", "--config", path]);
        atLimit.Should().Be(CliApp.UsageError);
        atLimitError.Should().Contain("unknown profile").And.NotContain("too large");
    }

    [Fact]
    public async Task A_refused_or_missing_key_is_reported_with_the_targets_own_variable()
    {
        await using var server = await MockLlmServer.StartAsync(new MockServerOptions { ApiKeys = { Key } });
        var config = Config(Target("keyless", server.BaseUrl, "acs"), Target("wrong key", server.BaseUrl, "acs", KeyVariable));

        var (code, output, error) = await RunAsync(Args(config), new() { [KeyVariable] = "sk-not-the-key-0000" });

        code.Should().Be(CliApp.Failed, error);
        output.Should().MatchRegex(@"keyless: not checked: the endpoint requires a key \(.*\): name the key's environment variable in apiKeyEnv")
            .And.MatchRegex($@"wrong key: not checked: the endpoint refused the key \(.*\); check the key in {KeyVariable} \(apiKeyEnv\)")
            .And.NotContain("--api-key").And.NotContain("OPENAI_API_KEY");
    }

    [Fact]
    public void Endpoint_text_is_escaped_in_both_pages()
    {
        var target = new Conformance.Matrix.MatrixTarget("t", new Uri("http://127.0.0.1:1/v1"), "m", "acs", null);
        var hostile = "<img src=x onerror=alert(1)> | `x` \n# h";
        var table = new Conformance.Matrix.MatrixTable([new(target, null, hostile)]);

        var html = MatrixHtml.Render(table);
        var markdown = MatrixMarkdown.Render(table);

        html.Should().NotContain("<img").And.Contain("&lt;img src=x onerror=alert(1)&gt;");
        markdown.Should().NotMatchRegex(@"(?<!\\)<img").And.NotContain("\n# h").And.Contain(@"\| \`x\`");
        html.Should().NotMatchRegex(@"(src|href)=""?(https?:)?//", "the page loads nothing from outside");
    }

    /// <summary>The verdict table of the markdown page: check id → the cells of its row.</summary>
    private static Dictionary<string, string[]> MarkdownCells(string markdown) =>
        MarkdownRow().Matches(markdown).ToDictionary(
            m => m.Groups["id"].Value,
            m => m.Groups["cells"].Value.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Select(c => c.Trim('*')).ToArray());

    /// <summary>The verdict table of the HTML page: check id → the text of the cells of its row.</summary>
    private static Dictionary<string, string[]> HtmlCells(string html) =>
        HtmlRow().Matches(html).ToDictionary(
            m => WebUtility.HtmlDecode(m.Groups["id"].Value),
            m => HtmlCell().Matches(m.Groups["cells"].Value).Select(c => WebUtility.HtmlDecode(c.Groups[1].Value)).ToArray());

    [GeneratedRegex(@"^\| `(?<id>[^`]+)` \|(?<cells>.*)$", RegexOptions.Multiline)]
    private static partial Regex MarkdownRow();

    [GeneratedRegex(@"<tr><td class=""id""[^>]*>(?<id>[^<]+)</td>(?<cells>.*?)</tr>")]
    private static partial Regex HtmlRow();

    [GeneratedRegex(@"<td class=""v [^""]*""[^>]*>([^<]*)</td>")]
    private static partial Regex HtmlCell();
}
