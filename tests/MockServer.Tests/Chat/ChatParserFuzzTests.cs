using System.Text.Json;
using MockServer.Errors;

namespace MockServer.Tests.Chat;

/// <summary>
/// Mutated chat bodies straight into the parser: each is accepted or refused with an <see cref="ApiErrorException"/>
/// (or is not JSON at all); any other exception would be a 500. Seeded, so a failure reproduces.
/// </summary>
public sealed class ChatParserFuzzTests
{
    private static readonly string[] Valid =
    [
        ChatParsing.Body(",\"max_tokens\":4,\"logprobs\":true,\"top_logprobs\":3,\"stop\":[\".\"],\"seed\":1"),
        ChatParsing.Body(",\"stream\":true,\"stream_options\":{\"include_usage\":true},\"n\":2,\"prompt_cache_key\":\"k\""),
        ChatParsing.Body(
            ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}],\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}",
            """[{"role":"system","content":"Be brief."},{"role":"user","content":[{"type":"text","text":"Weather?"}]},{"role":"assistant","content":null,"tool_calls":[{"id":"c1","type":"function","function":{"name":"get_weather","arguments":"{}"}}]},{"role":"tool","tool_call_id":"c1","content":"sunny"}]"""),
        ChatParsing.Body(",\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"a\",\"schema\":{\"type\":\"object\",\"properties\":{\"x\":{\"enum\":[1,2]}}}}}", model: "small-chat"),
    ];

    private static readonly string[] Pieces =
    [
        "{", "}", "\"", ",", ":", "[", "]", "\\", "0", "-1", "1e400", "true", "null", "[]", "{}", "\"\\ud800\"", "\"x\"",
        "\"role\":\"tool\",", "\"content\":null,", "\"type\":\"image_url\",", "\"tool_calls\":[{}],", "\"name\":\"a b\",",
    ];

    // Members inserted first or last in an object (lookups find the last duplicate, rules read the first): the body
    // stays JSON, so the edit reaches the rules of whatever object it lands in.
    private static readonly string[] Members =
    [
        "\"\\ud800\":1", "\"role\":\"tool\"", "\"role\":7", "\"content\":null", "\"content\":[]", "\"type\":\"image_url\"",
        "\"type\":\"function\"", "\"tool_calls\":[{}]", "\"name\":\"a b\"", "\"name\":\"\\udc00\"", "\"text\":5", "\"id\":null",
        "\"function\":{}", "\"schema\":[]", "\"parameters\":{\"\\ud800\":1}", "\"arguments\":{}", "\"extra\":1", "\"tool_call_id\":\"\"",
    ];

    [Fact]
    public void Mutated_bodies_are_accepted_or_refused_with_a_structured_error()
    {
        var chat = new ChatParsing();
        var random = new Random(20261130);
        int accepted = 0, refused = 0, notJson = 0;
        var crashes = new List<string>();
        for (var i = 0; i < 4000; i++)
        {
            var body = Mutate(Valid[random.Next(Valid.Length)], random);
            try
            {
                chat.Parse(body);
                accepted++;
            }
            catch (ApiErrorException)
            {
                refused++;
            }
            catch (JsonException)
            {
                notJson++;
            }
#pragma warning disable CA1031 // any other exception is exactly what this test looks for
            catch (Exception ex)
#pragma warning restore CA1031
            {
                crashes.Add($"{ex.GetType().Name}: {ex.Message} <- {body}");
            }
        }

        crashes.Should().BeEmpty();
        accepted.Should().BeGreaterThan(40, "some mutations leave a valid request");
        refused.Should().BeGreaterThan(400, "many reach the parser's rules");
        notJson.Should().BeGreaterThan(0);
    }

    private static string Mutate(string body, Random random)
    {
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits; e++)
        {
            var at = random.Next(body.Length);
            var open = body.IndexOf('{', at);
            var close = body.IndexOf('}', at);
            body = random.Next(6) switch
            {
                0 when open >= 0 => body.Insert(open + 1, Members[random.Next(Members.Length)] + ","),
                1 when close >= 0 => body.Insert(close, "," + Members[random.Next(Members.Length)]),
                2 => body.Remove(at, Math.Min(body.Length - at, random.Next(1, 6))).Insert(at, Pieces[random.Next(Pieces.Length)]),
                3 => body.Remove(at, 1),
                _ => body.Insert(at, Pieces[random.Next(Pieces.Length)]),
            };
        }

        return body;
    }
}
