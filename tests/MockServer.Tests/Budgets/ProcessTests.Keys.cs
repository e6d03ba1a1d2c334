using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

// Part of ProcessTests (its process helpers), kept with the budget tests it belongs to.
namespace MockServer.Tests.Functional;

/// <summary>Keys files, limits and the admin routes through the command line, as users run the server.</summary>
public sealed partial class ProcessTests
{
    private const string FileKey = "sk-process-file-key-0008";
    private const string PlainKey = "sk-process-plain-key-0009";
    private const string AdminKey = "sk-process-admin-key-0010";

    [Fact]
    public async Task A_bad_keys_file_exits_with_2_and_one_line_naming_file_path_and_line_but_no_key()
    {
        var path = Path.Combine(_workingDirectory, "keys.json");
        await File.WriteAllTextAsync(path, $"{{\"keys\": [\n  {{\"key\": \"{FileKey}\", \"rpm\": 0}}\n]}}");

        var (exitCode, stderr) = await RunToExitAsync("--urls", "http://127.0.0.1:0", "--keys-file", path);

        exitCode.Should().Be(2);
        stderr.Should().StartWith($"MockServer cannot start: Keys file '{path}' does not match schemas/keys.schema.json at $.keys[0].rpm: 0 is too small; it must be at least 1 (line 2, position ");
        stderr.Should().NotContain(FileKey);
        OneLine(stderr);
    }

    [Theory]
    [InlineData("--admin takes true or false", "--admin", "yes")]
    [InlineData("the admin routes need their own key (--admin-key) when API keys are configured.", "--api-keys", PlainKey, "--admin", "true")]
    [InlineData("the admin key must differ from every API key.", "--api-keys", PlainKey, "--admin", "true", "--admin-key", PlainKey)]
    public async Task Admin_flags_that_cannot_work_stop_the_start(string expected, params string[] args)
    {
        var (exitCode, stderr) = await RunToExitAsync(["--urls", "http://127.0.0.1:0", .. args]);

        exitCode.Should().Be(2);
        stderr.Should().Contain(expected);
        stderr.Should().NotContain(PlainKey);
        OneLine(stderr);
    }

    [Fact]
    public async Task Keys_file_limits_and_admin_routes_work_from_the_command_line_with_the_admin_key_from_the_environment_and_no_key_is_logged()
    {
        var path = Path.Combine(_workingDirectory, "keys.json");
        await File.WriteAllTextAsync(path, $$"""{"keys": [{"key": "{{FileKey}}", "name": "team", "token_budget": 0}]}""");
        var output = new StringBuilder();
        using var process = StartWithEnvironment(new() { ["MockServer__AdminKey"] = AdminKey }, "--urls", "http://127.0.0.1:0", "--keys-file", path, "--api-keys", PlainKey, "--admin", "true");
        try
        {
            var root = await ReadBaseUrlAsync(process, output);
            using var client = new HttpClient { BaseAddress = root };
            async Task<(int Status, string Body)> Send(HttpMethod method, string url, string? key, string? json = null)
            {
                using var request = new HttpRequestMessage(method, url);
                request.Headers.Authorization = key is null ? null : new AuthenticationHeaderValue("Bearer", key);
                request.Content = json is null ? null : new StringContent(json, Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                var headers = string.Join("\n", response.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
                var body = await response.Content.ReadAsStringAsync();
                output.Append(headers).Append('\n').Append(body).Append('\n');
                return ((int)response.StatusCode, body);
            }

            const string Completion = """{"model":"llama-8b","prompt":"Hello","max_tokens":2}""";
            (await Send(HttpMethod.Post, "v1/completions", FileKey, Completion)).Status.Should().Be(429, "the file gives the key a budget of 0");
            (await Send(HttpMethod.Post, "v1/completions", PlainKey, Completion)).Status.Should().Be(200);
            (await Send(HttpMethod.Post, "v1/completions", "sk-wrong", Completion)).Status.Should().Be(401);
            (await Send(HttpMethod.Get, "admin/keys", PlainKey)).Status.Should().Be(401, "a /v1 key does not open the admin routes");
            var list = await Send(HttpMethod.Get, "admin/keys", AdminKey);
            list.Status.Should().Be(200, list.Body);
            JsonDocument.Parse(list.Body).RootElement.GetProperty("data").EnumerateArray().Select(k => k.GetProperty("name").GetString())
                .Should().Equal("team", "key-2");
            (await Send(HttpMethod.Patch, "admin/keys/team", AdminKey, """{"token_budget": 1000}""")).Status.Should().Be(200);
            (await Send(HttpMethod.Post, "v1/completions", FileKey, Completion)).Status.Should().Be(200, "the new budget applies at once");
            (await Send(HttpMethod.Post, "admin/keys/team/reset", AdminKey)).Status.Should().Be(200);

            // The reset is the last thing logged; once its line is read, every earlier line has been too.
            await ReadUntilAsync(process, output, "usage reset by the admin route");
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        output.Append(await process.StandardError.ReadToEndAsync());
        var text = output.ToString();
        text.Should().Contain("Key team refused on llama-8b: 429 insufficient_quota", "refusals are logged by the key's name");
        text.Should().Contain("Key team: limits set by the admin route: token_budget 1000");
        text.Should().NotContain(FileKey).And.NotContain(PlainKey).And.NotContain(AdminKey);
    }

    private Process StartWithEnvironment(Dictionary<string, string> environment, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { WorkingDirectory = _workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("exec");
        info.ArgumentList.Add(ServerDll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            info.Environment[name] = value;
        }

        return Process.Start(info)!;
    }

    /// <summary>Reads the log until its base URL line; returns the server's root URL.</summary>
    private static async Task<Uri> ReadBaseUrlAsync(Process process, StringBuilder output)
    {
        var line = await ReadUntilAsync(process, output, "base URL");
        return new Uri(BaseUrlLine().Match(line).Groups[1].Value.Replace("/v1", "/", StringComparison.Ordinal));
    }

    private static async Task<string> ReadUntilAsync(Process process, StringBuilder output, string text)
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a hang guard, not a timing assertion
        while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
        {
            output.AppendLine(line);
            if (line.Contains(text, StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"The server's output ended before '{text}': {output}");
    }
}
