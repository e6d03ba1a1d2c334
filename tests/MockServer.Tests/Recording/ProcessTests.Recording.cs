using System.Security.Cryptography;
using System.Text;
using MockServer.Hosting;

// Part of ProcessTests (its process helpers), kept with the record and replay tests it belongs to.
namespace MockServer.Tests.Functional;

/// <summary>Record and replay through the command line, as the README's two commands run them.</summary>
public sealed partial class ProcessTests
{
    [Fact]
    public async Task The_record_and_replay_flags_record_a_process_and_replay_it_in_another()
    {
        var dir = Path.Combine(_workingDirectory, "recordings");
        var variable = "MOCK_RECORD_PROCESS_KEY_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
        var key = "sk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        await using var upstream = await MockLlmServer.StartAsync();
        const string Request = """{"model":"llama-8b","prompt":"The capital of France is","max_tokens":1,"logprobs":2}""";
        string recorded;
        Environment.SetEnvironmentVariable(variable, key); // the child inherits it, as from a shell's export
        try
        {
            await using var recorder = await ServeAsync("--urls", "http://127.0.0.1:0", "--record-upstream", upstream.BaseUrl.ToString(), "--record-dir", dir, "--record-key-env", variable);
            using var response = await recorder.Client.PostAsync("completions", new StringContent(Request, Encoding.UTF8, "application/json"));
            recorded = await response.Content.ReadAsStringAsync();
            (await recorder.LineContainingAsync("Recorded POST /v1/completions")).Should().Contain("(200) as completions-");
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }

        await using var replayer = await ServeAsync("--urls", "http://127.0.0.1:0", "--replay", dir, "--replay-timing", "none", "--replay-pin-ids", "true");
        using var replayed = await replayer.Client.PostAsync("completions", new StringContent(Request, Encoding.UTF8, "application/json"));

        (await replayed.Content.ReadAsStringAsync()).Should().Be(recorded).And.Contain("\" Paris\"");
        Directory.GetFiles(dir).Should().ContainSingle().Which.Should().EndWith("-0001.json");
    }

    [Fact]
    public async Task A_bad_recording_exits_with_2_naming_file_path_and_line()
    {
        var dir = Directory.CreateDirectory(Path.Combine(_workingDirectory, "bad-recordings")).FullName;
        await File.WriteAllTextAsync(Path.Combine(dir, "broken.json"), """
            {
              "recording": 1, "endpoint": "chat", "method": "POST", "path": "/v1/chat/completions", "match": {},
              "response": { "status": 700, "body": "{}" }
            }
            """);

        var (exitCode, stderr) = await RunToExitAsync("--urls", "http://127.0.0.1:0", "--replay", dir);

        exitCode.Should().Be(2);
        stderr.Should().StartWith("MockServer cannot start: Recording 'broken.json' ").And.Contain("$.response.status").And.Contain("(line 3,");
        OneLine(stderr);
    }
}
