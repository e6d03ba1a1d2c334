using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using MockServer.Tests.TestUtils;
using MockServer.Validation;

namespace MockServer.Tests.Functional;

/// <summary>
/// Thousands of random and mutated bodies: none may get a 5xx or take the server down, every error follows the
/// error schema, and every success follows the completion or chunk schema. Seeded, so a failure reproduces.
/// </summary>
public sealed class FuzzTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    // Every accepted name (read from the server, so a new parameter is fuzzed too), plus near misses and a nested name.
    private static readonly string[] Parameters =
        [.. ParameterNames.Completions.Order(StringComparer.Ordinal), "include_usage", "messages", "max_token", ""];

    private static readonly string[] Valid =
    [
        """{"model":"llama-8b","prompt":"The capital of France is","max_tokens":1,"logprobs":5}""",
        """{"model":"llama-8b","prompt":"Five reasons to learn Rust:\n1.","max_tokens":8,"stream":true,"stream_options":{"include_usage":true}}""",
        """{"model":"llama-1b","prompt":["a","b"],"n":2,"max_tokens":4,"echo":true,"logprobs":2,"stop":["."]}""",
        """{"model":"llama-70b","prompt":[1,2,3],"max_tokens":3,"prompt_logprobs":2,"seed":5,"top_k":3,"min_p":0.1}""",
    ];

    [Fact]
    public async Task Random_and_mutated_bodies_never_get_a_5xx()
    {
        var structured = Gen.Sample(RequestObject(), 1500, new Rnd(20261122UL), 12);
        var mutated = Gen.Sample(Mutation(), 1200, new Rnd(7UL), 20);
        var raw = Gen.Sample(Gen.ArrayOf(Gen.Choose(0, 255).Select(b => (byte)b)), 300, new Rnd(99UL), 60);

        var bodies = structured.Select(Encoding.UTF8.GetBytes).Concat(mutated.Select(Encoding.UTF8.GetBytes)).Concat(raw).ToList();
        var statuses = new Dictionary<int, int>();
        var serverErrors = new List<string>();
        foreach (var body in bodies)
        {
            var status = await SendAndCheckAsync(body);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
            if (status >= 500)
            {
                serverErrors.Add(Encoding.UTF8.GetString(body));
            }
        }

        serverErrors.Should().BeEmpty("no request may be answered with a server error");
        statuses.GetValueOrDefault(200).Should().BeGreaterThan(bodies.Count / 100, "the generators also produce valid requests (at least 1%)");
        statuses.GetValueOrDefault(400).Should().BeGreaterThan(1000);
        using var health = await server.Client.GetAsync(new Uri(server.BaseUrl, "/health"));
        health.IsSuccessStatusCode.Should().BeTrue("the server is still up");
    }

    private async Task<int> SendAndCheckAsync(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var response = await server.Client.PostAsync("completions", content);
        var text = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        if (status >= 400)
        {
            text.ShouldConformTo(Schemas.Error);
        }
        else if (response.Content.Headers.ContentType?.MediaType == "text/event-stream")
        {
            foreach (var payload in SseTranscript.Parse(text).Payloads.SkipLast(1))
            {
                payload.ShouldConformTo(Schemas.Chunk);
            }
        }
        else
        {
            text.ShouldConformTo(Schemas.Completion);
        }

        return status;
    }

    private static Gen<string> JsonValue(int depth)
    {
        var scalars = new[]
        {
            Gen.Constant("null"), Gen.Constant("true"), Gen.Constant("false"),
            Gen.Choose(-3, 30).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.Elements("0", "-1", "1e400", "-0", "0.5", "2.0000001", "9223372036854775808", "1e-400", "128001", "20", "21", "1.5e3"),
            Gen.Elements("\"\"", "\"llama-8b\"", "\"16\"", "\"true\"", "\"\\u0000\"", "\"\\ud800\"", "\"é😀\"", "\"Hello world\"", "\"\\n\""),
        };
        if (depth <= 0)
        {
            return Gen.OneOf(scalars);
        }

        var array = Gen.ListOf(JsonValue(depth - 1), 3).Select(items => "[" + string.Join(",", items) + "]");
        var obj = Gen.ListOf(Gen.Elements(Parameters).SelectMany(k => JsonValue(depth - 1).Select(v => $"\"{k}\":{v}")), 2)
            .Select(pairs => "{" + string.Join(",", pairs) + "}");
        return Gen.Frequency((6, Gen.OneOf(scalars)), (1, array), (1, obj));
    }

    /// <summary>A request-shaped object: mostly real parameter names with values of any kind.</summary>
    private static Gen<string> RequestObject() =>
        from model in Gen.Frequency((5, Gen.Constant("\"model\":\"llama-8b\",")), (1, Gen.Constant("")), (1, JsonValue(1).Select(v => $"\"model\":{v},")))
        from prompt in Gen.Frequency((5, Gen.Constant("\"prompt\":\"Hi there\",")), (1, Gen.Constant("")), (2, JsonValue(2).Select(v => $"\"prompt\":{v},")))
        from maxTokens in Gen.Elements("\"max_tokens\":4,", "")
        from pairs in Gen.ListOf(Gen.Elements(Parameters).SelectMany(k => JsonValue(2).Select(v => $"\"{k}\":{v}")))
        select ("{" + model + prompt + maxTokens + string.Join(",", pairs.Take(4)) + "}").Replace(",}", "}", StringComparison.Ordinal);

    /// <summary>A valid request with one to three byte-level edits.</summary>
    private static Gen<string> Mutation() =>
        from body in Gen.Elements(Valid)
        from edits in Gen.ListOf(Edit(), 3)
        select edits.Aggregate(body, (current, edit) => edit(current));

    private static Gen<Func<string, string>> Edit() =>
        Gen.OneOf(
            Gen.Choose(0, 200).Select<int, Func<string, string>>(at => s => s.Remove(Math.Min(at, s.Length - 1), 1)),
            Gen.Choose(0, 200).SelectMany(at => Gen.Elements("{", "}", "\"", ",", ":", "[", "]", "\\", "0", "true", "null", "-", "e", "\u0000")
                .Select<string, Func<string, string>>(piece => s => s.Insert(Math.Min(at, s.Length), piece))),
            Gen.Choose(1, 200).Select<int, Func<string, string>>(at => s => s[..Math.Min(at, s.Length)]),
            Gen.Elements(Parameters).SelectMany(k => JsonValue(1).Select<string, Func<string, string>>(v => s => s.Insert(1, $"\"{k}\":{v},"))));
}
