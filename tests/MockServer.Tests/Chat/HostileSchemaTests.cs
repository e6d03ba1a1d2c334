using System.Text;
using System.Text.Json;
using MockServer.Tests.TestUtils;

namespace MockServer.Tests.Chat;

/// <summary>
/// Schemas that pass the size and depth bounds but multiply work (recursion, wide anyOf/oneOf, large minItems), or
/// carry values the generator cannot compute with: each is answered at once, with a value or a 400
/// <c>unsupported_schema</c> naming the parameter, never a 500 or a request that runs on (the second review's cases).
/// A regression shows as a 500, or as this test timing out instead of answering.
/// </summary>
public sealed class HostileSchemaTests(MockServerFixture server) : IClassFixture<MockServerFixture>
{
    public static TheoryData<string> Schemas => new()
    {
        """{"type":"object","properties":{"x":{"type":"number","multipleOf":1e29}},"required":["x"]}""",
        """{"type":"object","properties":{"x":{"allOf":[{"minimum":"x"},{"minimum":1}]}},"required":["x"]}""",
        """{"type":"object","properties":{"x":{"allOf":[{"type":"number","multipleOf":"x"},{"multipleOf":2}]}},"required":["x"]}""",
        """{"type":"object","properties":{"a":{"type":"array","minItems":16,"items":{"$ref":"#/properties/a"}}},"required":["a"]}""",
        """{"type":"object","properties":{"a":{"type":"array","minItems":64,"items":{"type":"array","minItems":64,"items":{"type":"array","minItems":64,"items":{"type":"array","minItems":64,"items":{"type":"integer"}}}}}},"required":["a"]}""",
        """{"type":"object","anyOf":[{"$ref":"#"},{"$ref":"#"}]}""",
        """{"type":"object","oneOf":[{"$ref":"#"},{"$ref":"#"}]}""",
        """{"type":"object","allOf":[{"$ref":"#"},{"$ref":"#"},{"$ref":"#"},{"$ref":"#"},{"$ref":"#"},{"$ref":"#"},{"$ref":"#"},{"$ref":"#"}]}""",
        Disjoint(),
    };

    [Theory]
    [MemberData(nameof(Schemas))]
    public async Task A_costly_or_odd_tool_schema_is_answered_with_a_value_or_a_400(string schema)
    {
        var body = $$$"""{"model":"llama-8b-instruct","messages":[{"role":"user","content":"x"}],"max_tokens":64,"n":4,"seed":1,"tool_choice":"required","tools":[{"type":"function","function":{"name":"f","parameters":{{{schema}}}}}]}""";
        await AnsweredAsync(body, "tools[0].function.parameters");
    }

    [Theory]
    [MemberData(nameof(Schemas))]
    public async Task A_costly_or_odd_response_schema_is_answered_with_a_value_or_a_400(string schema)
    {
        var body = """{"model":"llama-8b-instruct","messages":[{"role":"user","content":"x"}],"max_tokens":64,"seed":1,"stream":true,"response_format":{"type":"json_schema","json_schema":{"name":"s","schema":""" + schema + "}}}";
        await AnsweredAsync(body, "response_format.json_schema.schema");
    }

    private async Task AnsweredAsync(string body, string param)
    {
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        using var response = await server.Client.PostAsync("chat/completions", content);
        var text = await response.Content.ReadAsStringAsync();

        ((int)response.StatusCode).Should().BeOneOf([200, 400], text);
        if ((int)response.StatusCode == 400)
        {
            var error = JsonDocument.Parse(text).RootElement.GetProperty("error");
            error.GetProperty("param").GetString().Should().Be(param, text);
            error.GetProperty("code").GetString().Should().BeOneOf("unsupported_schema", "invalid_value");
        }
    }

    /// <summary>allOf of two disjoint 9,000-value enums: an intersection of 81 million pairs if done naively.</summary>
    private static string Disjoint()
    {
        var a = string.Join(",", Enumerable.Range(0, 9000));
        var b = string.Join(",", Enumerable.Range(9000, 9000));
        return $$$"""{"type":"object","properties":{"x":{"allOf":[{"enum":[{{{a}}}]},{"enum":[{{{b}}}]}]}},"required":["x"]}""";
    }
}
