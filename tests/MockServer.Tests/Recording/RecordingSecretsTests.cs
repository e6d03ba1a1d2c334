using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MockServer.Hosting;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Recording;

/// <summary>
/// The upstream key (issue 9: "its key read from the environment, never written anywhere"): recorded through an
/// upstream that echoes its Authorization header everywhere it can, the key reaches the upstream and nothing else —
/// no file under the record directory, no log line, no journal entry, no answer relayed to the client.
/// </summary>
public sealed class RecordingSecretsTests : IDisposable
{
    private const string ClientKey = "client-key-for-the-mock-0001";

    private readonly string _dir = RecordingHarness.TempDirectory("mock-recording-secrets-");
    private readonly string _variable = "MOCK_RECORD_TEST_KEY_" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6));
    private readonly string _key = "sk-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public RecordingSecretsTests() => Environment.SetEnvironmentVariable(_variable, _key);

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        Directory.Delete(_dir, recursive: true);
    }

    [Fact]
    public async Task The_upstream_key_reaches_the_upstream_and_no_file_log_journal_or_answer()
    {
        await using var upstream = await EchoUpstream.StartAsync();
        var options = new MockServerOptions { RecordUpstream = upstream.BaseUrl, RecordDirectory = _dir, RecordKeyEnvironmentVariable = _variable };
        options.ApiKeys.Add(ClientKey);
        await using var recorder = await MockLlmServer.StartAsync(options);
        var logs = new CapturedLogs();
        recorder.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        using var client = Api.ClientFor(recorder);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ClientKey);
        client.DefaultRequestHeaders.Add("X-Api-Key", ClientKey);
        client.DefaultRequestHeaders.Add("Cookie", "sid=" + ClientKey);
        client.DefaultRequestHeaders.Add("X-Trace", "kept");

        var answers = new List<Answer>
        {
            await client.SendAsync(new Exchange("chat", HttpMethod.Post, "chat/completions", """{"model":"gpt-x","messages":[{"role":"user","content":"hi"}]}""")),
            await client.SendAsync(new Exchange("chat stream", HttpMethod.Post, "chat/completions", """{"model":"gpt-x","messages":[{"role":"user","content":"hi"}],"stream":true}""")),
            await client.SendAsync(new Exchange("completion stream", HttpMethod.Post, "completions", """{"model":"base-x","prompt":"hi","stream":true}""")),
            await client.SendAsync(new Exchange("models", HttpMethod.Get, "models", null)),
            await client.SendAsync(new Exchange("key in the request", HttpMethod.Post, "completions", $$"""{"model":"base-x","prompt":"the key is {{_key}}"}""")),
        };

        // The key did its job: the upstream got it, as a bearer key, and never the client's own credentials.
        upstream.Received.Should().HaveCount(answers.Count);
        upstream.Received.Should().OnlyContain(h => h["Authorization"] == "Bearer " + _key);
        upstream.Received.Should().OnlyContain(h => !h.ContainsKey("X-Api-Key") && !h.ContainsKey("Cookie") && h["X-Trace"] == "kept");

        // The echoes were there to be caught, and were.
        var files = Directory.GetFiles(_dir, "*", SearchOption.AllDirectories);
        files.Should().HaveCount(answers.Count);
        string.Concat(files.Select(File.ReadAllText)).Should().Contain("[redacted]");
        var forms = new[]
        {
            _key,
            Convert.ToBase64String(Encoding.UTF8.GetBytes(_key)),
            Convert.ToBase64String(Encoding.UTF8.GetBytes("Bearer " + _key)),
            ClientKey,
        };
        foreach (var file in files)
        {
            var bytes = await File.ReadAllBytesAsync(file);
            foreach (var form in forms)
            {
                bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(form)).Should().Be(-1, $"{Path.GetFileName(file)} must not hold the key in any form");
            }
        }

        var journal = JsonSerializer.Serialize(await recorder.Journal.WaitForAsync(answers.Count)); // every request's entry, not a race's empty list
        var logText = string.Join("\n", logs.Entries.Select(e => e.Message));
        logs.Entries.Should().Contain(e => e.Event.Id == 60, "the recordings are logged, so the log was there to leak into");
        foreach (var form in forms.Take(3))
        {
            logText.Should().NotContain(form);
            journal.Should().NotContain(form);
            answers.Should().OnlyContain(a => !a.Text.Contains(form, StringComparison.Ordinal), "what is relayed is what is recorded");
        }
    }

    [Fact]
    public async Task Only_allow_listed_headers_come_back_and_are_recorded()
    {
        await using var upstream = await EchoUpstream.StartAsync();
        await using var recorder = await MockLlmServer.StartAsync(new MockServerOptions { RecordUpstream = upstream.BaseUrl, RecordDirectory = _dir, RecordKeyEnvironmentVariable = _variable });
        using var client = Api.ClientFor(recorder);
        using var request = new Exchange("chat", HttpMethod.Post, "chat/completions", """{"model":"gpt-x","messages":[]}""").ToRequest();

        using var response = await client.SendAsync(request);

        response.Headers.Should().NotContain(h => h.Key == "X-Echo-Authorization" || h.Key == "Set-Cookie");
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/json");
        var file = await RecordingAsync();
        var headers = JsonDocument.Parse(file).RootElement.GetProperty("response").GetProperty("headers");
        headers.EnumerateObject().Select(p => p.Name).Should().Equal("content-type");
    }

    /// <summary>The one recording: on disk by the time its client has the answer.</summary>
    private Task<string> RecordingAsync() => File.ReadAllTextAsync(Directory.GetFiles(_dir, "*.json").Single());
}
