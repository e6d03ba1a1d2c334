using System.Diagnostics;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MockServer.Tests.Functional;

/// <summary>
/// The server as users run it: a separate process, started from a directory that has no fixtures (the defaults are
/// embedded), logging its base URL and models.
/// </summary>
public sealed partial class ProcessTests : IDisposable
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "MockServer.Tool.dll");
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("mock-cwd-").FullName;

    public void Dispose() => Directory.Delete(_workingDirectory, recursive: true);

    [Fact]
    public async Task Process_serves_embedded_fixtures_from_any_directory_and_logs_base_url_and_models()
    {
        await using var server = await ServeAsync("--urls", "http://127.0.0.1:0");
        server.StartLine.Should().Contain("llama-8b (meta-llama/Llama-3.1-8B)").And.Contain("llama-1b").And.Contain("llama-70b");

        using var response = await server.Client.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "The capital of France is", max_tokens = 1, logprobs = 5 });
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        json.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" a");
        json.GetProperty("usage").GetProperty("total_tokens").GetInt32().Should().Be(7);
    }

    [Theory]
    [InlineData("--fixtures", "does-not-exist")]
    [InlineData("--max-body-bytes", "lots")]
    [InlineData("--api-keys", " , ")]
    [InlineData("--urls", "notaurl")]
    [InlineData("--urls", "http://127.0.0.1:99999")]
    [InlineData("--token-delay-ms", "-5")]
    [InlineData("--write-timeout-ms", "0")]
    [InlineData("--max-body-bytes", "0")]
    public async Task Bad_configuration_exits_with_2_and_a_message(string flag, string value)
    {
        // The flag under test comes last, so it overrides the default --urls.
        var (exitCode, stderr) = await RunToExitAsync("--urls", "http://127.0.0.1:0", flag, value);

        exitCode.Should().Be(2);
        stderr.Should().StartWith("MockServer cannot start:");
        OneLine(stderr);
    }

    [Theory]
    [InlineData("unknown option '--api-key'; did you mean '--api-keys'?", "--api-key", "sk-meant-to-be-required")]
    [InlineData("unknown option '--fixture'; did you mean '--fixtures'?", "--fixture", "my-fixtures")]
    [InlineData("unknown option '--api-key'; did you mean '--api-keys'?", "--api-key=sk-meant-to-be-required")]
    [InlineData("unknown option '--MockServer:ApiKey'; did you mean '--MockServer:ApiKeys'?", "--MockServer:ApiKey", "sk-1")]
    [InlineData("unknown option '-p'", "-p", "8000")]
    [InlineData("unknown option '--port'", "--port", "8000")]
    [InlineData("unexpected argument at position 3 (after the value of '--urls'); options start with --", "serve")]
    [InlineData("option '--api-keys' needs a value", "--api-keys")]
    public async Task Unknown_option_stops_the_start_with_a_hint_instead_of_being_ignored(string expected, params string[] args)
    {
        var (exitCode, stderr) = await RunToExitAsync(["--urls", "http://127.0.0.1:0", .. args]);

        exitCode.Should().Be(2);
        stderr.Should().StartWith("MockServer cannot start: " + expected);
        if (expected.EndsWith('?'))
        {
            stderr.TrimEnd().Should().EndWith(expected, "the suggestion ends the line");
        }

        OneLine(stderr);
    }

    [Theory]
    [InlineData("--api-keys", "sk-first-key-0001", "sk-stray-second-key-0002")]
    [InlineData("--api-keys=sk-first-key-0001", "sk-stray-second-key-0002")]
    [InlineData("--MockServer:ApiKeys", "sk-first-key-0001", "--sk-stray-second-key-0002")]
    public async Task A_second_key_after_a_space_stops_the_start_without_printing_it(params string[] keys)
    {
        const string stray = "stray-second-key-0002";
        using var process = Start(["--urls", "http://127.0.0.1:0", .. keys]);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var (exitCode, stderr) = await WaitForExitAsync(process);

        exitCode.Should().Be(2);
        stderr.Should().StartWith("MockServer cannot start: unexpected argument at position ").And.Contain("separate several keys with commas: --api-keys K1,K2");
        OneLine(stderr);
        (stderr + await stdout).Should().NotContain(stray).And.NotContain("first-key-0001", "a key is never printed");
    }

    [Fact]
    public async Task Documented_aspnet_settings_and_configuration_keys_still_start_the_server()
    {
        await using var server = await ServeAsync(
            "--urls=http://127.0.0.1:0", "--environment", "Development", "--Logging:LogLevel:Default", "Information",
            "--MockServer:ApiKeys", "sk-test-key-1", "/seed", "3");

        using var anonymous = await server.Client.GetAsync("models");
        server.Client.DefaultRequestHeaders.Authorization = new("Bearer", "sk-test-key-1");
        using var authorized = await server.Client.GetAsync("models");

        ((int)anonymous.StatusCode).Should().Be(401, "--MockServer:ApiKeys was read");
        ((int)authorized.StatusCode).Should().Be(200);
    }

    [Fact]
    public async Task Help_lists_the_options_and_exits_0()
    {
        using var process = Start("--help");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var (exitCode, _) = await WaitForExitAsync(process);

        exitCode.Should().Be(0);
        (await stdout).Should().Contain("--fixtures DIR").And.Contain("--api-keys K1,K2").And.Contain("--urls URL");
    }

    [Fact]
    public async Task Fixture_files_with_comments_trailing_commas_or_a_bom_are_served()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_workingDirectory, "fixtures")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "commas.json"), """{"completions":[{"match":{"prompt":"commas?",},"tokens":[" yes",],},],}""");
        await File.WriteAllTextAsync(Path.Combine(folder, "comments.json"), "// a comment\n{\"completions\":[/* one */{\"match\":{\"prompt\":\"comments?\"},\"tokens\":[\" yes\"]}]}");
        await File.WriteAllTextAsync(Path.Combine(folder, "bom.json"), """{"completions":[{"match":{"prompt":"bom?"},"tokens":[" yes"]}]}""", new UTF8Encoding(encoderShouldEmitUTF8Identifier: true));
        await using var server = await ServeAsync("--urls", "http://127.0.0.1:0", "--fixtures", folder);

        foreach (var prompt in new[] { "commas?", "comments?", "bom?" })
        {
            using var response = await server.Client.PostAsJsonAsync("completions", new { model = "llama-8b", prompt, max_tokens = 3 });
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
            json.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" yes", prompt);
        }
    }

    [Theory]
    [InlineData("", "Fixture 'broken.json' is empty")]
    [InlineData("{\"completions\":[{\"match\":{\"prompt\":\"a\"},\n  \"tokens\":[\"a\"", "Fixture 'broken.json' is not valid JSON at line 2, position 16:")]
    [InlineData("{\"models\":[]}\n,", "Fixture 'broken.json' is not valid JSON at line 2, position 1:")]
    [InlineData("{\"completions\":[{\"match\":{\"prompt\":\"\\ud800\"},\"tokens\":[\"a\"]}]}", "Fixture 'broken.json' at $.completions[0].match.prompt: the string is not valid Unicode")]
    public async Task Fixture_file_that_is_not_json_exits_with_2_and_one_line(string text, string expected)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_workingDirectory, "fixtures")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "broken.json"), text);

        var (exitCode, stderr) = await RunToExitAsync("--urls", "http://127.0.0.1:0", "--fixtures", folder);

        exitCode.Should().Be(2, "a bad fixture is a configuration error, not a crash (134)");
        stderr.Should().StartWith("MockServer cannot start: " + expected);
        OneLine(stderr);
    }

    [Theory]
    [InlineData("{\"faults\":{\"seed\":1,\"rules\":[{\"fault\":\"error_after=two\",\"rate\":0.5}]}}", "at $.faults.rules[0].fault: 'error_after=two' is not a fault")]
    [InlineData("{\"timing\":{\"jitter\":2}}", "does not match schemas/behaviour.schema.json at $.timing.jitter")]
    [InlineData(null, "does not exist")]
    public async Task Bad_behaviour_file_exits_with_2_and_one_line(string? text, string expected)
    {
        var file = Path.Combine(_workingDirectory, "behaviour.json");
        if (text is not null)
        {
            await File.WriteAllTextAsync(file, text);
        }

        var (exitCode, stderr) = await RunToExitAsync("--urls", "http://127.0.0.1:0", "--behaviour", file);

        exitCode.Should().Be(2, "a bad behaviour file is a configuration error, not a crash");
        stderr.Should().StartWith($"MockServer cannot start: Behaviour file '{file}' ").And.Contain(expected);
        OneLine(stderr);
    }

    [Fact]
    public async Task A_scheduled_fault_is_applied_echoed_and_logged_with_its_source()
    {
        var file = Path.Combine(_workingDirectory, "behaviour.json");
        await File.WriteAllTextAsync(file, """{"faults": {"seed": 1, "rules": [{"fault": "status=503;retry_after=3", "rate": 1}]}}""");
        await using var server = await ServeAsync("--urls", "http://127.0.0.1:0", "--behaviour", file);

        using var response = await server.Client.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "Hi", max_tokens = 1 });

        ((int)response.StatusCode).Should().Be(503);
        response.Headers.GetValues("X-Mock-Fault-Applied").Should().Equal("status=503;retry_after=3");
        (await server.LineContainingAsync("Fault status=503")).Should().Contain("Fault status=503;retry_after=3 (from the schedule) applied on /v1/completions");
    }

    /// <summary>One line of message: no stack trace, no "Unhandled exception".</summary>
    private static void OneLine(string stderr) =>
        stderr.TrimEnd().Should().NotContain("\n", "the error is one line, not a stack trace").And.NotContain("Unhandled");

    /// <summary>Runs the server expecting it to refuse to start; fails as soon as it starts listening instead.</summary>
    private async Task<(int ExitCode, string Stderr)> RunToExitAsync(params string[] args)
    {
        using var process = Start(args);
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            if (line.Contains("listening", StringComparison.Ordinal))
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
                throw new InvalidOperationException($"The server started although it should have refused to: {line}");
            }
        }

        return await WaitForExitAsync(process);
    }

    private static async Task<(int ExitCode, string Stderr)> WaitForExitAsync(Process process)
    {
        var stderr = process.StandardError.ReadToEndAsync();
        // A guard against a server that starts and never exits, not a timing assertion.
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(guard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new InvalidOperationException($"The server did not exit; it was killed. stderr: {await stderr}");
        }

        return (process.ExitCode, await stderr);
    }

    private Process Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = _workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(ServerDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        return Process.Start(info)!;
    }

    /// <summary>Starts the server and waits for its "listening" line; disposing kills it.</summary>
    private async Task<RunningServer> ServeAsync(params string[] args)
    {
        var process = Start(args);
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing assertion
        while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
        {
            if (BaseUrlLine().Match(line) is { Success: true } match)
            {
                return new RunningServer(process, new Uri(match.Groups[1].Value + "/"), line);
            }
        }

        var stderr = await process.StandardError.ReadToEndAsync();
        process.Dispose();
        throw new InvalidOperationException($"The server exited without logging its base URL: {stderr}");
    }

    private sealed class RunningServer(Process process, Uri baseUrl, string startLine) : IAsyncDisposable
    {
        public string StartLine { get; } = startLine;

        public HttpClient Client { get; } = new() { BaseAddress = baseUrl };

        /// <summary>The next line of the server's output that contains <paramref name="text"/> (a log line).</summary>
        public async Task<string> LineContainingAsync(string text)
        {
            using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing assertion
            while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
            {
                if (line.Contains(text, StringComparison.Ordinal))
                {
                    return line;
                }
            }

            throw new InvalidOperationException($"The server's output ended without a line containing '{text}'.");
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
    }

    [GeneratedRegex(@"base URL (http://127\.0\.0\.1:\d+/v1)")]
    private static partial Regex BaseUrlLine();
}
