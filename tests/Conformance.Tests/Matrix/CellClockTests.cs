using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using MockServer.Hosting;

namespace Conformance.Tests.Matrix;

/// <summary>
/// docs/dialect-matrix.md must not depend on when it is computed: llama.cpp's <c>created</c> is read per chunk
/// (spec-facts §4.2, §9 Q15), so on a real clock a stream crossing a second flipped the constant-identity verdicts.
/// </summary>
public sealed class CellClockTests
{
    [Fact]
    public async Task A_cell_server_stamps_every_chunk_with_the_pinned_instant_even_where_created_is_read_per_chunk()
    {
        await using var server = await MockLlmServer.StartAsync(DialectMatrix.CellOptions("llamacpp"));
        using var client = new HttpClient { BaseAddress = server.BaseUrl };
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/completions")
        {
            Content = new StringContent(
                $$"""{"model": "{{DialectMatrix.CompletionsModel}}", "prompt": "Once upon a time", "max_tokens": 8, "stream": true}""",
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Suite.Key);

        using var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        response.IsSuccessStatusCode.Should().BeTrue(body);
        var created = new List<long>();
        foreach (var line in body.Split('\n').Where(l => l.StartsWith("data: {", StringComparison.Ordinal)))
        {
            using var chunk = JsonDocument.Parse(line["data: ".Length..]);
            created.Add(chunk.RootElement.GetProperty("created").GetInt64());
        }

        created.Should().HaveCountGreaterThan(1);
        created.Should().AllBeEquivalentTo(DialectMatrix.CellNow.ToUnixTimeSeconds());
    }
}
