using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Xml;
using System.Xml.Linq;
using Conformance.Cli;
using Conformance.Tests.Http;
using Microsoft.AspNetCore.Http;
using NJsonSchema;

using static Conformance.Tests.Cli.CliRunner;

namespace Conformance.Tests.Reporting;

/// <summary>
/// The report files as tools read them: from disk, with parsers that honour the XML declaration and the encoding.
/// The in-memory strings prove nothing about the bytes (a UTF-16 declaration over UTF-8 bytes reads fine as a string).
/// </summary>
public sealed class ReportFileTests : IDisposable
{
    /// <summary>Non-ASCII on purpose: a typographic apostrophe (3 UTF-8 bytes) and an accented letter (2 bytes).</summary>
    private const string Odd = "lïst’é";

    private const string ExpectedMessage = "object is \"" + Odd + "\", not \"list\"";

    private readonly string _dir = Directory.CreateTempSubdirectory("conformance-files-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    /// <summary>Runs the models checks against a server whose list has a non-ASCII object type, writing both files.</summary>
    private async Task<(string Json, string JUnit)> WriteReportsAsync()
    {
        await using var server = await TinyServer.StartAsync(async ctx =>
        {
            if (ctx.Request.Path.Value!.EndsWith("/models", StringComparison.Ordinal))
            {
                ctx.Response.ContentType = "application/json; charset=utf-8";
                await ctx.Response.WriteAsync("{\"object\":\"" + Odd + "\",\"data\":[]}", Encoding.UTF8);
                return;
            }

            ctx.Response.StatusCode = 404;
        });
        var json = Path.Combine(_dir, "report.json");
        var junit = Path.Combine(_dir, "report.xml");

        var (code, _, error) = await RunAsync(["--base-url", server.BaseUrl.ToString(), "--only", "models", "--quiet", "--timeout", "10", "--json", json, "--junit", junit]);

        code.Should().Be(CliApp.Failed, error);
        return (json, junit);
    }

    [Fact]
    public async Task JUnitFile_ParsesFromDiskWithItsDeclaredEncoding_AndKeepsNonAsciiText()
    {
        var (_, junit) = await WriteReportsAsync();

        var bytes = await File.ReadAllBytesAsync(junit);
        bytes.Take(5).Should().Equal("<?xml"u8.ToArray(), "no BOM: the declaration alone names the encoding");
        Encoding.ASCII.GetString(bytes, 0, 60).Should().Contain("encoding=\"utf-8\"");

        // XmlReader over the raw stream switches decoders on the declaration, as CI tools' parsers do.
        string? message = null;
        await using (var stream = File.OpenRead(junit))
        using (var reader = XmlReader.Create(stream, new XmlReaderSettings { Async = true }))
        {
            while (await reader.ReadAsync())
            {
                if (reader is { NodeType: XmlNodeType.Element, Name: "failure" } && message is null)
                {
                    message = reader.GetAttribute("message");
                }
            }
        }

        message.Should().Be(ExpectedMessage);
        var doc = XDocument.Load(junit);
        doc.Descendants("testcase").Single(t => (string?)t.Attribute("name") == "models.list-shape")
            .Element("failure")!.Attribute("message")!.Value.Should().Be(ExpectedMessage);
    }

    [Fact]
    public async Task JUnitFile_ParsesWithANonDotNetParser()
    {
        var (_, junit) = await WriteReportsAsync();

        // Python's expat honours the declaration and the bytes independently of .NET. python3 is part of the build
        // image; on a machine without it this test fails and says so, rather than passing without having parsed.
        const string Script = """
            import sys, xml.dom.minidom
            doc = xml.dom.minidom.parse(sys.argv[1])
            for case in doc.getElementsByTagName("testcase"):
                if case.getAttribute("name") == "models.list-shape":
                    sys.stdout.buffer.write(case.getElementsByTagName("failure")[0].getAttribute("message").encode("utf-8"))
            """;
        var (exit, output, error) = await RunPythonAsync(Script, junit);

        exit.Should().Be(0, "python3 must parse the file: " + error);
        output.Should().Be(ExpectedMessage);
    }

    [Fact]
    public async Task JsonFile_ParsesFromDisk_AndValidatesAgainstTheSchema()
    {
        var (json, _) = await WriteReportsAsync();

        var bytes = await File.ReadAllBytesAsync(json);
        bytes[0].Should().Be((byte)'{', "no BOM");
        string text;
        await using (var stream = File.OpenRead(json))
        using (var doc = await JsonDocument.ParseAsync(stream))
        {
            var check = doc.RootElement.GetProperty("checks").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "models.list-shape");
            check.GetProperty("message").GetString().Should().Be(ExpectedMessage);
            text = doc.RootElement.GetRawText();
        }

        var schema = await JsonSchema.FromFileAsync(Path.Combine(AppContext.BaseDirectory, "schemas", "conformance-report.schema.json"));
        schema.Validate(await File.ReadAllTextAsync(json, Encoding.UTF8)).Select(e => e.ToString()).Should().BeEmpty();
        schema.Validate(text).Should().BeEmpty();
    }

    private static async Task<(int Exit, string Output, string Error)> RunPythonAsync(string script, string file)
    {
        var start = new ProcessStartInfo("python3")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        start.ArgumentList.Add(file);
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception ex)
        {
            throw new InvalidOperationException("python3 is needed for this test (a non-.NET XML parser) and could not be started: " + ex.Message, ex);
        }

        using (process)
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await output, await error);
        }
    }
}
