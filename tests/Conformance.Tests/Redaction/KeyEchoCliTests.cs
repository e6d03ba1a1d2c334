using System.Text.Json;
using System.Xml.Linq;
using Conformance.Cli;
using Conformance.Http;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Redaction;

/// <summary>
/// A server echoes the key in every altered form, in bodies, headers and SSE events; the console and both report files,
/// read back from disk and decoded the ways a reader would, hold no 8-character run of it.
/// </summary>
public sealed class KeyEchoCliTests : IDisposable
{
    private const string Key = RedactorTests.Key;

    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-echo-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task Run_ServerEchoesTheKeyInEveryForm_NoOutputHoldsARunOfIt()
    {
        await using var server = await KeyEchoServer.StartAsync(Key, "llama-8b");
        var json = Path.Combine(_dir, "report.json");
        var junit = Path.Combine(_dir, "report.xml");

        // --max-retry-wait below the 1 s default delay: the 429 with an unusable Retry-After is reported, not waited on.
        var (code, console, error) = await RunAsync(
            ["--base-url", server.BaseUrl.ToString(), "--api-key", Key, "--timeout", "10", "--budget", "100000", "--max-retry-wait", "0.5", "--json", json, "--junit", junit]);

        code.Should().Be(CliApp.Failed, error);
        server.Authorizations.Should().Contain("Bearer " + Key, "the key was sent, so every echo carried it");
        var jsonText = await File.ReadAllTextAsync(json);
        var junitText = await File.ReadAllTextAsync(junit);
        var outputs = new Dictionary<string, string>
        {
            ["console"] = console,
            ["stderr"] = error,
            ["json file"] = jsonText,
            ["json file, parsed"] = string.Join("\n", Strings(JsonDocument.Parse(jsonText).RootElement)),
            ["junit file"] = junitText,
            ["junit file, parsed"] = string.Join("\n", XDocument.Load(junit).Descendants().SelectMany(e => e.Attributes().Select(a => a.Value).Append(e.Value))),
        };

        foreach (var (name, text) in outputs)
        {
            KeyForms.LeakedRuns(text, Key).Should().BeEmpty("the {0} must hold no 8-character run of the key in any case or encoding", name);
        }

        // Each echo reached an output, masked in place: the assertions above are about text that was really there.
        var everything = string.Concat(outputs.Values);
        foreach (var place in KeyEchoServer.Places)
        {
            foreach (var (label, _) in KeyEchoServer.SecretForms(Key))
            {
                everything.Should().Contain($"[{place}{label}]{Redactor.Mask};", "the form {0} echoed in place {1} is reported, masked", label, place);
            }

            everything.Should().Contain($"[{place}n]{KeyEchoServer.SevenRun(Key)};", "a 7-character run is not masked, by the documented rule");
        }
    }

    [Fact]
    public async Task Run_KeyRebuiltOnlyByFormatting_IsRedactedInTheOutputAsWritten()
    {
        // A key with a literal backslash-n. The server echoes it with a real line break instead: neither half is a run
        // of 8, so the report's strings hold nothing to mask, but the console and the JSON file write a line break as
        // \n and so spell the key out. Only redacting each output as written catches that.
        const string key = "sk-Ab1\\nx9Zq7";
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            ctx.Response.ContentType = "text/plain";
            await ctx.Response.WriteAsync("bad body " + key.Replace("\\n", "\n", StringComparison.Ordinal) + " end");
        });
        var json = Path.Combine(_dir, "report.json");

        var (code, console, error) = await RunAsync(["--base-url", server.BaseUrl.ToString(), "--api-key", key, "--only", "models", "--timeout", "10", "--json", json]);

        code.Should().Be(CliApp.Failed, error);
        var jsonText = await File.ReadAllTextAsync(json);
        console.Should().NotContain(key).And.Contain("bad body *** end");
        jsonText.Should().NotContain(key).And.Contain("bad body *** end");
    }

    private static IEnumerable<string> Strings(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => [element.GetString()!],
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Strings(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => element.EnumerateArray().SelectMany(Strings),
        _ => [],
    };
}
