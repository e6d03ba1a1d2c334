using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace MockServer.Tests.Functional;

/// <summary>
/// The server as users run it: a separate process, started from a directory that has no fixtures (the defaults are
/// embedded), logging its base URL and models.
/// </summary>
public sealed partial class ProcessTests : IDisposable
{
    private static readonly string ServerDll = Path.Combine(AppContext.BaseDirectory, "MockServer.dll");
    private readonly string _workingDirectory = Directory.CreateTempSubdirectory("mock-cwd-").FullName;

    public void Dispose() => Directory.Delete(_workingDirectory, recursive: true);

    [Fact]
    public async Task Process_serves_embedded_fixtures_from_any_directory_and_logs_base_url_and_models()
    {
        using var process = Start("--urls", "http://127.0.0.1:0");
        try
        {
            var (baseUrl, line) = await WaitForBaseUrlAsync(process);
            line.Should().Contain("llama-8b (meta-llama/Llama-3.1-8B)").And.Contain("llama-1b").And.Contain("llama-70b");

            using var client = new HttpClient { BaseAddress = new Uri(baseUrl + "/") };
            using var response = await client.PostAsJsonAsync("completions", new { model = "llama-8b", prompt = "The capital of France is", max_tokens = 1, logprobs = 5 });
            var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

            json.GetProperty("choices")[0].GetProperty("text").GetString().Should().Be(" a");
            json.GetProperty("usage").GetProperty("total_tokens").GetInt32().Should().Be(7);
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
    }

    [Theory]
    [InlineData("--fixtures", "does-not-exist")]
    [InlineData("--max-body-bytes", "lots")]
    [InlineData("--api-keys", " , ")]
    [InlineData("--urls", "notaurl")]
    [InlineData("--urls", "http://127.0.0.1:99999")]
    [InlineData("--token-delay-ms", "-5")]
    public async Task Bad_configuration_exits_with_2_and_a_message(string flag, string value)
    {
        // The flag under test comes last, so it overrides the default --urls.
        using var process = Start("--urls", "http://127.0.0.1:0", flag, value);
        var stderr = process.StandardError.ReadToEndAsync();

        var exited = await Task.WhenAny(process.WaitForExitAsync(), Task.Delay(TimeSpan.FromSeconds(20)));
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        process.ExitCode.Should().Be(2);
        (await stderr).Should().StartWith("MockServer cannot start:");
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

    private static async Task<(string BaseUrl, string Line)> WaitForBaseUrlAsync(Process process)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (BaseUrlLine().Match(line) is { Success: true } match)
            {
                return (match.Groups[1].Value, line);
            }
        }

        throw new InvalidOperationException("The server exited without logging its base URL.");
    }

    [GeneratedRegex(@"base URL (http://127\.0\.0\.1:\d+/v1)")]
    private static partial Regex BaseUrlLine();
}
