using System.Net.Http.Json;
using System.Text.Json;
using MockServer.Hosting;

namespace MockServer.Xunit.Tests;

/// <summary>
/// What one test leaves on a shared server, and the check that the next test finds none of it. Every test of these
/// classes runs <see cref="ShouldBeFreshAsync"/> first and <see cref="LeaveAsync"/> after, so whichever runs second
/// fails if the server is not reset between them.
/// </summary>
internal static class Dirt
{
    public const string Session = "dirty-session";

    /// <summary>A prompt no default fixture scripts: the synthetic model answers it unless a run-time fixture does.</summary>
    public const string Prompt = "shared server check";

    public const string Scripted = " scripted";

    public static async Task<string> CompleteAsync(HttpClient client, string? session = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "completions")
        {
            Content = JsonContent.Create(new { model = "llama-8b", prompt = Prompt, max_tokens = 2, seed = 1 }),
        };
        if (session is not null)
        {
            request.Headers.Add("X-Mock-Session", session);
        }

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        ((int)response.StatusCode).Should().Be(200, body);
        return JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("text").GetString()!;
    }

    /// <summary>Nothing a test leaves is there: no journal entry, no run-time fixture of any session.</summary>
    public static async Task ShouldBeFreshAsync(MockLlmServer server, HttpClient client)
    {
        server.Journal.Entries().Should().BeEmpty("the journal starts empty for every test");
        server.Fixtures.List().Should().BeEmpty("no run-time fixture of an earlier test is left");
        (await CompleteAsync(client, Session)).Should().NotBe(Scripted, "an earlier test's session fixture is gone");
        (await CompleteAsync(client)).Should().NotBe(Scripted, "an earlier test's global fixture is gone");
        server.Journal.Clear(); // those two checks are this test's own requests
    }

    /// <summary>Leaves a journal entry and run-time fixtures, global and for a session.</summary>
    public static async Task LeaveAsync(MockLlmServer server, HttpClient client)
    {
        server.Fixtures.Add($$"""{"completions": [{"match": {"prompt": "{{Prompt}}"}, "tokens": ["{{Scripted}}"]}]}""", Session);
        server.Fixtures.Add($$"""{"completions": [{"match": {"prompt": "{{Prompt}}"}, "tokens": ["{{Scripted}}"]}]}""");
        (await CompleteAsync(client, Session)).Should().Be(Scripted);
        await server.Journal.WaitForAsync(1);
    }
}
