using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace MockServer.Tests.Recording;

/// <summary>One answer as a client received it: status, content type and the body's bytes.</summary>
internal sealed record Answer(int Status, string? ContentType, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);
}

/// <summary>A request the record and replay tests send, the same to every server.</summary>
internal sealed record Exchange(string Name, HttpMethod Method, string Path, string? Json, string? Fault = null)
{
    public HttpRequestMessage ToRequest()
    {
        var request = new HttpRequestMessage(Method, Path);
        if (Json is not null)
        {
            request.Content = new StringContent(Json, Encoding.UTF8);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        }

        if (Fault is not null)
        {
            request.Headers.Add("X-Mock-Fault", Fault);
        }

        return request;
    }
}

internal static partial class RecordingHarness
{
    public static async Task<Answer> SendAsync(this HttpClient client, Exchange exchange)
    {
        using var request = exchange.ToRequest();
        using var response = await client.SendAsync(request);
        return new Answer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), await response.Content.ReadAsByteArrayAsync());
    }

    /// <summary>
    /// The answer with every <c>"id":"…"</c> and <c>"created":N</c> blanked: what "byte-identical modulo ids and
    /// created" compares. Written here, apart from the server's own rewriting, so the two cannot share a bug.
    /// </summary>
    public static string WithoutIds(string body) => Created().Replace(Id().Replace(body, "\"id\":\"*\""), "\"created\":0");

    /// <summary>The top-level ids of a body or of every chunk of a stream, in order.</summary>
    public static List<string> Ids(string body) => [.. TopId().Matches(body).Select(m => m.Groups[1].Value)];

    public static string TempDirectory(string prefix) => Directory.CreateTempSubdirectory(prefix).FullName;

    /// <summary>
    /// Writes <paramref name="good"/> with <paramref name="from"/> replaced by <paramref name="to"/> as <c>bad.json</c> in
    /// <paramref name="directory"/>, and asserts that replaying it stops the start naming the file, JSON path and line.
    /// </summary>
    public static async Task StartIsRefusedAsync(string directory, string good, string from, string to, string path, int line)
    {
        good.Should().Contain(from);
        await File.WriteAllTextAsync(Path.Combine(directory, "bad.json"), good.Replace(from, to, StringComparison.Ordinal));

        var start = () => MockServer.Hosting.MockLlmServer.StartAsync(new MockServer.Hosting.MockServerOptions { ReplayDirectory = directory });

        var message = (await start.Should().ThrowAsync<MockServer.Fixtures.FixtureLoadException>()).Which.Message;
        message.Should().StartWith("Recording 'bad.json'").And.Contain($"at {path}").And.Contain($"(line {line},");
    }

    [GeneratedRegex("\"id\":\"[^\"]*\"")]
    private static partial Regex Id();

    [GeneratedRegex("\"created\":[0-9]+")]
    private static partial Regex Created();

    // Each chunk and body begins {"id":"…" in the mock's wire order.
    [GeneratedRegex("\\{\"id\":\"([^\"]*)\"")]
    private static partial Regex TopId();
}
